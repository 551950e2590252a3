"""Small apps written with the public API alone, each tested in ``tests/examples/``.

- :mod:`examples.multi_agent`: agents answering one question at once (keyed runs).
- :mod:`examples.log_tail`: a log that follows its file while a browser watches (a stream
  that starts itself and runs on a timer).

Run one with ``.venv/bin/python -m examples.multi_agent`` (http://127.0.0.1:8000/).
"""
