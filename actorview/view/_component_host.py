"""A component on its own: the view that shows one component, for its tests.

``actorview.testing.mount(Counter, {"label": "Apples"})`` mounts ``host_view(Counter)``
with those props: a view whose whole page is the component (under the key ``"main"``
unless the props name a ``key``), that receives what the component ``sends`` and keeps
it in :attr:`ComponentHost.told`, and whose props a test changes with a
:class:`SetProps` message (``ViewClient.set_props``). Nothing else differs from a
component shown by any view: the same events, the same renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from actorview.declare._fields import state
from actorview.mailbox import on
from actorview.render import Element
from actorview.view._components import Component, component_id
from actorview.view._view import View

HOST_KEY = "main"
"""The key of the component a host view shows, unless its props name one."""


@attrs.frozen
class SetProps:
    """Tell a :class:`ComponentHost` to pass the component new values for these props
    (the others keep theirs), as a parent's next render would."""

    values: Mapping[str, Any] = attrs.field(factory=dict, hash=False)


class ComponentHost(View, receives=(SetProps,)):
    """Base of the views :func:`host_view` makes: the page is one component."""

    hosted: ClassVar[type[Component]]
    props_version = state(int)

    def mount(self, params: Any) -> None:
        props = dict(params) if isinstance(params, Mapping) else {}
        self.key: str | int = props.pop("key", HOST_KEY)
        self.props: dict[str, Any] = props
        self.told: list[Any] = []
        """What the component told its parent, in order."""

    @property
    def hosted_id(self) -> str:
        """The id of the component the page shows."""
        return component_id(type(self).hosted, self.key)

    def render(self) -> Element:
        return self.component(type(self).hosted, key=self.key, **self.props)

    @on(SetProps)
    def _av_set_props(self, message: SetProps) -> None:
        self.props.update(message.values)
        self.props_version = self.props_version + 1  # a change, so the view renders


def _keep_told() -> Any:
    def told(self: ComponentHost, message: Any) -> None:
        self.told.append(message)

    return told


_HOSTS: dict[type[Component], type[ComponentHost]] = {}


def host_view(cls: type[Component]) -> type[ComponentHost]:
    """The view whose page is component ``cls`` alone (made once per class)."""
    host = _HOSTS.get(cls)
    if host is not None:
        return host
    sends = cls.__component_sends__
    namespace: dict[str, Any] = {"hosted": cls, "__module__": cls.__module__}
    for index, kind in enumerate(sends):
        namespace[f"_av_told_{index}"] = on(kind)(_keep_told())
    host = _HOSTS[cls] = type(f"{cls.__name__}Host", (ComponentHost,), namespace, receives=sends)
    return host
