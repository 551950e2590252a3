"""The streaming chat demo: a chat view with a fake LLM, in actorview's view DSL.

:class:`ChatView` is the view; :func:`fake_llm` its stream. :class:`ResumableChatView`
(and :class:`UserResumableChatView`, the served one) runs the reply as a job of its
conversation, which outlives its page (``demo_chat.reply_job``). The web endpoint that
serves it (``python -m demo_chat``) belongs to the endpoint layer.
"""

from demo_chat.llm import fake_llm, reply_tokens
from demo_chat.messages import ChatParams, Chunk, Done, Message
from demo_chat.reply_job import ResumableChatView, UserResumableChatView
from demo_chat.view import ChatView, UserChatView, count_more_tokens, count_tokens

__all__ = [
    "ChatParams",
    "ChatView",
    "Chunk",
    "Done",
    "Message",
    "ResumableChatView",
    "UserChatView",
    "UserResumableChatView",
    "count_more_tokens",
    "count_tokens",
    "fake_llm",
    "reply_tokens",
]
