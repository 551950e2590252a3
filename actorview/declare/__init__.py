"""What a view class body declares, and the validator that checks it.

Fields, calcs, ops, actions, clauses, stream declarations, the compiled
:class:`~actorview.declare.spec.ViewSpec` and the validator. The live runtime (the
``View`` actor, its store and stream runners) is :mod:`actorview.view`, which re-exports
the names users write.
"""
