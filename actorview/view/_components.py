"""Components: stateful parts of a view, with their own fields, calcs, actions and render.

A :class:`Component` is declared like a view (``state``, ``prop``, ``calculate``,
``action``, ``render``) and checked when its class is defined
(:func:`~actorview.declare._components.compile_component`). A view shows one with
``self.component(Counter, key="a", label="Apples")`` in its ``render``; the
:class:`Components` of that view (one per view instance) keep each shown component's
instance, under its class and key, between renders. The rules, in the order they apply:

1. **Identity.** A component is its class and its ``key`` (a ``str`` or ``int``), unique
   among the components one render shows; its id in the page is ``"<Class>/<key>"``
   (the root element's ``av-component`` attribute, and its sibling key unless the root
   has one), so a keyed list of components is reordered by moving elements.
2. **Life.** It is made (its ``mount`` runs) the first time a render shows it and is
   dropped, with its state, after the first render that does not show it.
3. **Props down.** Each render passes its props; a changed one (``!=``) is written,
   checked against its type, and the component's calcs are recomputed.
4. **Renders only what changed.** A component whose props and state did not change
   since its last render is not rendered again: the view gets the same element as
   before, which the diff skips without a walk (``old is new``). ``Component.renders``
   counts its renders.
5. **Events up to it.** In the element it renders, the ``av-click``, ``av-submit``,
   ``av-change``, ``av-keydown`` and ``av-input`` names are its own action and field
   names; they are sent as ``"@<Class>/<key>:<name>"`` (:data:`TARGET_PREFIX`), which
   the view hands to this component's store (its action's ops, all or nothing, as a
   view's) and no other.
6. **Messages to the parent.** ``ops.tell_parent(...)`` in its action puts a message in
   the view's mailbox after the action, handled there by an ordinary clause.

A component's ``render`` may show components too (``Component.component``): ids stay
unique in the whole view, an outer component is rendered again when an inner one
changes, and one not rendered again keeps the components inside it.

Everything runs in the view's task: a component has no task, no mailbox and no streams
of its own, so every guarantee of a view holds for it. The guide is docs/COMPONENTS.md.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any, ClassVar, Final, assert_never

import attrs

from actorview.declare._components import (
    ComponentError,
    ComponentSpec,
    UnknownComponent,
    compile_component,
    prop,
)
from actorview.declare._errors import ExpressionError, ViewError
from actorview.render import (
    Element,
    Memo,
    Node,
    StreamDelete,
    StreamInsert,
    StreamReset,
    StreamSlot,
    h,
)
from actorview.view._events import Applied, Failed, Ignored, Outcome, Rejected
from actorview.view._store import ViewStore

TARGET_PREFIX: Final = "@"
"""What starts the event name (or input field) of an event targeted at a component:
``"@Counter/a:inc"`` is action ``inc`` of the component ``Counter`` keyed ``"a"``."""

EVENT_ATTRS: Final = ("av-click", "av-submit", "av-change", "av-keydown", "av-input")
"""The attributes whose values name an action (or, ``av-input``, a client field) of the
component that renders them."""

COMPONENT_ATTR: Final = "av-component"
"""The attribute that carries a component's id on the root element it renders."""


class Component:
    """Base class of components: stateful parts of a view (see the module docstring).

    Class keywords:
        sends: message types it may tell its parent view with ``ops.tell_parent``; the
            parent must receive them (``class Board(View, receives=(Changed,))``).

    Declare ``state`` fields, ``prop``\\ s, ``calculate`` values and ``action``\\ s as in a
    view, and write ``render``. Every component has the prop ``key`` (its key, readable
    in expressions). ``mount`` may set initial state from the props.

    Example::

        @attrs.frozen
        class Changed:
            key: str
            count: int

        class Counter(Component, sends=(Changed,)):
            label = prop(str)
            count = state(int)
            inc = action(
                ops.set(count=lambda count: count + 1),
                ops.tell_parent(lambda key, count: Changed(key, count + 1)),
            )

            def render(self) -> Element:
                return h.button(f"{self.label}: {self.count}", av_click="inc")
    """

    __component_spec__: ClassVar[ComponentSpec]
    __component_sends__: ClassVar[tuple[type, ...]] = ()

    key = prop(str | int)
    """The component's key among the components of its view (given by the parent)."""

    def __init_subclass__(cls, *, sends: tuple[type, ...] = (), **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        inherited: tuple[type, ...] = getattr(cls, "__component_sends__", ())
        cls.__component_sends__ = tuple(dict.fromkeys((*inherited, *sends)))
        cls.__component_spec__ = compile_component(
            cls, sends=cls.__component_sends__, reserved=_RESERVED
        )

    def __init__(self, key: str | int, props: Mapping[str, Any], *, view: str) -> None:
        spec = type(self).__component_spec__
        self.id = component_id(type(self), key)
        """The component's id in its view (``"Counter/a"``)."""
        self.renders = 0
        """How many times the component was rendered (not counting reused renders)."""
        self._av_view = view
        self._av_store = ViewStore(spec.view, f"{view}.{self.id}")
        self._av_store.assign("key", key)
        self._av_last: Element | None = None
        self._av_stale = True
        self._av_fresh = True
        self._av_host: Components | None = None
        self._av_parent: Component | None = None
        self._av_children: list[Component] = []
        """The components its last render showed (kept with it when it is not rendered)."""
        self._av_take_props(props)
        self.mount()
        self._av_store.compute_all()

    # -- hooks for subclasses --------------------------------------------------------

    def mount(self) -> None:
        """Set initial state from the props (override it); runs once, when the component
        is first shown, before its calcs are first computed."""

    def render(self) -> Element:
        """The component's HTML tree, from its props, fields and calcs (override it).

        It must only read. Its root is one element (it gets the ``av-component`` id)."""
        return h.div()

    def component(self, cls: type[Component], /, *, key: str | int, **props: Any) -> Element:
        """Show component ``cls`` under ``key`` inside this one, in :meth:`render`: as
        :meth:`View.component <actorview.view.View.component>` does in a view's render.

        Its id is unique in the whole view, as every component's; what it tells goes to
        the view. When it changes, this component is rendered again too (its element
        holds the other's).
        """
        host = self._av_host
        if host is None:
            raise ComponentError(
                self._av_view,
                self.id,
                "self.component(...) in a component no view shows; call it in render.",
            )
        return host.show(cls, key, props, parent=self)

    # -- introspection -----------------------------------------------------------------

    @property
    def store(self) -> ViewStore:
        """The component's state store (values, change counters); read it, do not write
        it."""
        return self._av_store

    @property
    def _view_store(self) -> ViewStore:
        """Where its declarations read and write (``declare.Holder``)."""
        return self._av_store

    # -- the runtime's side --------------------------------------------------------------

    def _av_take_props(self, props: Mapping[str, Any]) -> None:
        """Write the props the parent passed that changed (type-checked); raises
        :class:`ComponentError` for an unknown or a missing required prop."""
        spec = type(self).__component_spec__
        store = self._av_store
        for name, value in props.items():
            if name not in spec.props or name == "key":
                known = ", ".join(sorted(n for n in spec.props if n != "key")) or "none"
                raise ComponentError(
                    self._av_view,
                    self.id,
                    f"{type(self).__name__} has no prop {name!r} (props: {known}). "
                    f"Declare it with {name} = prop(<type>), or stop passing it.",
                )
            if self._av_fresh or store.read(name) != value:
                store.assign(name, value)
                self._av_stale = True
        if self._av_fresh:
            self._av_fresh = False
            for name, declared in spec.props.items():
                if declared.required and name not in props and name != "key":
                    raise ComponentError(
                        self._av_view,
                        self.id,
                        f"the prop {name!r} ({declared!r}) has no default and was not "
                        f"passed. Pass it: self.component({type(self).__name__}, key=..., "
                        f"{name}=...).",
                    )

    def _av_rendered(self) -> Element:
        """The component's element: rendered again if its state or props changed since the
        last time, else the very element of the last time."""
        if self._av_store.recompute() or self._av_stale or self._av_last is None:
            self._av_stale = False
            self.renders += 1
            self._av_children = []
            self._av_last = _targeted(self.render(), self.id, type(self).__name__)
        return self._av_last


def component_id(cls: type[Component], key: Hashable) -> str:
    """The id of component ``cls`` under ``key`` in its view (``"Counter/a"``)."""
    return f"{cls.__name__}/{key}"


def _targeted(tree: Element, cid: str, name: str) -> Element:
    """``tree`` with its event names aimed at component ``cid``, and its id on the root."""
    if not isinstance(tree, Element):
        raise TypeError(
            f"{name}.render returned {type(tree).__name__}; a component renders one "
            f"Element (wrap it: h.div(...))."
        )
    root = _aim(tree, f"{TARGET_PREFIX}{cid}:")
    attributes = {**root.attrs, COMPONENT_ATTR: cid}
    return Element(root.tag, attributes, root.children, root.key if root.key else cid)


def _aim(node: Element, prefix: str) -> Element:
    children = node.children
    aimed: list[Node] | None = None
    for index, child in enumerate(children):
        if type(child) is Element and COMPONENT_ATTR in child.attrs:
            pass  # another component's element, aimed at it already
        elif type(child) is Element:
            new = _aim(child, prefix)
            if new is not child:
                if aimed is None:
                    aimed = list(children[:index])
                aimed.append(new)
                continue
        elif isinstance(child, Memo):
            child = child.resolve()
            new = _aim(child, prefix)
            if aimed is None:
                aimed = list(children[:index])
            aimed.append(new)
            continue
        if aimed is not None:
            aimed.append(child)
    attributes = node.attrs
    named = [attr for attr in EVENT_ATTRS if isinstance(attributes.get(attr), str)]
    if not named and aimed is None:
        return node
    if named:
        attributes = {**attributes}
        for attr in named:
            attributes[attr] = f"{prefix}{attributes[attr]}"
    return Element(node.tag, attributes, node.children if aimed is None else aimed, node.key)


@attrs.frozen
class Target:
    """Where a targeted event goes: component ``component``'s action or field ``name``."""

    component: str
    name: str


def target_of(name: str) -> Target | None:
    """The component and action (or field) ``name`` aims at, or ``None`` if it names the
    view's own (see :data:`TARGET_PREFIX`)."""
    if not name.startswith(TARGET_PREFIX):
        return None
    component, _, action = name[len(TARGET_PREFIX) :].rpartition(":")
    return Target(component, action)


class Components:
    """The components one view instance shows, by id, and what happens to them.

    Args:
        view: the view class's name, for errors.
        receives: the message types the view receives (what its components may send).
        tell: puts a component's message in the view's mailbox.
        notify: tells the person at the page that an action failed on the server.
        log: the view's logger.
    """

    def __init__(
        self,
        view: str,
        receives: tuple[type, ...],
        tell: Callable[[Any], None],
        log: Any,
        *,
        streams: bool = False,
    ) -> None:
        self.view = view
        self.receives = receives
        self._tell = tell
        self._log = log
        self._streams = streams
        self._live: dict[str, Component] = {}
        self._seen: set[str] | None = None
        self._owned: dict[str, tuple[str, str]] = {}
        """Components that are a stream item (its root), by id: the stream and item key."""
        self._items: dict[tuple[str, str], str] = {}
        """The same, by stream and item key."""
        self.changed = False
        """Whether an event changed a component since the view last rendered."""

    def __iter__(self) -> Iterator[str]:
        return iter(self._live)

    @property
    def live(self) -> Mapping[str, Component]:
        """The components shown by the last render, by id."""
        return self._live

    # -- rendering -------------------------------------------------------------------

    def begin_render(self) -> None:
        """A render of the view starts: components it does not show are dropped after it."""
        self._seen = set()
        self.changed = False

    def abort_render(self) -> None:
        """The render raised: nothing is dropped."""
        self._seen = None

    def end_render(self, tree: Element) -> Element:
        """The render ended with ``tree``: learn which components its stream containers
        insert as items, and which ones their deletes and resets remove; drop the
        components neither shown by it nor kept as a shown stream item; and return
        ``tree`` with a replace op (a :class:`StreamInsert` of a shown key) for each
        stream item component that changed since it was inserted."""
        seen = self._seen
        assert seen is not None
        slots = _slots(tree) if self._streams and (seen or self._owned) else []
        for _path, slot in slots:
            self._follow(slot)
        changed: dict[str, list[StreamInsert]] = {}
        for cid, (stream, item) in list(self._owned.items()):
            if cid in seen:
                continue
            seen.add(cid)
            component = self._live[cid]
            before = component.renders
            element = self._rendered(component, seen)
            if component.renders != before:
                changed.setdefault(stream, []).append(StreamInsert(item, element))
        self._seen = None
        for cid in [c for c in self._live if c not in seen and c not in self._owned]:
            del self._live[cid]
            self._log.debug("view.component.dropped", component=cid)
        for path, slot in slots:
            if slot.name in changed:
                ops = (*slot.ops, *changed[slot.name])
                new = StreamSlot(slot.tag, slot.attrs, slot.name, ops, slot.key, tail=slot.tail)
                tree = _replace(tree, path, new)
        return tree

    def _follow(self, slot: StreamSlot) -> None:
        """Who owns the items ``slot``'s ops insert, delete or clear (in order)."""
        for op in slot.ops:
            match op:
                case StreamInsert():
                    self._drop_item(slot.name, op.key)
                    cid = op.node.attrs.get(COMPONENT_ATTR)
                    for child in () if isinstance(cid, str) else op.node.children:
                        if isinstance(child, Element) and _holds_component(child):
                            raise ComponentError(
                                self.view,
                                str(_holds_component(child)),
                                f"it is inside an item of the stream {slot.name!r} but not "
                                f"the item itself. Render the component as the item: "
                                f"{slot.name}.slot(..., lambda item: self.component(...)), "
                                f"with what else the item shows in the component's render.",
                            )
                    if isinstance(cid, str) and cid in self._live:
                        self._owned[cid] = (slot.name, op.key)
                        self._items[(slot.name, op.key)] = cid
                case StreamDelete():
                    self._drop_item(slot.name, op.key)
                case StreamReset():
                    for stream, key in [k for k in self._items if k[0] == slot.name]:
                        self._drop_item(stream, key)
                case _:
                    assert_never(op)

    def _drop_item(self, stream: str, key: str) -> None:
        cid = self._items.pop((stream, key), None)
        if cid is not None:
            self._owned.pop(cid, None)

    def show(
        self,
        cls: type[Component],
        key: str | int,
        props: Mapping[str, Any],
        parent: Component | None = None,
    ) -> Element:
        """The element of component ``cls`` under ``key`` with ``props``, made on first use
        (see the module docstring for the rules)."""
        if not (isinstance(cls, type) and issubclass(cls, Component)) or cls is Component:
            raise ComponentError(
                self.view,
                getattr(cls, "__name__", repr(cls)),
                "self.component(...) takes a Component subclass first. Declare "
                "`class Counter(Component): ...`, or call the function for a plain part.",
            )
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise ComponentError(
                self.view,
                cls.__name__,
                f"key={key!r}: a component's key is a str or an int, unique among the "
                f"components of one render (an item's id, a name).",
            )
        cid = component_id(cls, key)
        seen = self._seen
        if seen is None:
            raise ComponentError(
                self.view,
                cid,
                "self.component(...) was called outside render (after it returned, or in "
                "a Memo's build, which the diff runs later). Call it while the view "
                "renders; a component already skips a render when nothing changed, so "
                "keep it out of memos.",
            )
        if cid in seen:
            raise ComponentError(
                self.view,
                cid,
                f"key {key!r} is shown twice in one render. Give each {cls.__name__} a "
                f"distinct key.",
            )
        seen.add(cid)
        instance = self._live.get(cid)
        if instance is not None and type(instance) is not cls:
            instance = None  # another class of the same name: a new component
        if instance is None:
            self._check_sends(cls)
            instance = self._live[cid] = cls(key, props, view=self.view)
            instance._av_host = self
        else:
            instance._av_take_props(props)
        instance._av_parent = parent
        if parent is not None:
            parent._av_children.append(instance)
        return self._rendered(instance, seen)

    def _rendered(self, component: Component, seen: set[str]) -> Element:
        """``component``'s element; when it is not rendered again, the components its
        last render showed are shown still (they are inside that element)."""
        before = component.renders
        element = component._av_rendered()
        if component.renders == before:
            self._keep_children(component, seen)
        return element

    def _keep_children(self, component: Component, seen: set[str]) -> None:
        for child in component._av_children:
            seen.add(child.id)
            self._keep_children(child, seen)

    def _check_sends(self, cls: type[Component]) -> None:
        for kind in cls.__component_spec__.sends:
            if not any(issubclass(kind, received) for received in self.receives):
                raise ComponentError(
                    self.view,
                    cls.__name__,
                    f"{cls.__name__} sends {kind.__name__} (ops.tell_parent), but "
                    f"{self.view} does not receive it. Declare `class {self.view}(View, "
                    f"receives=({kind.__name__},))` and a clause for it.",
                )

    # -- events ------------------------------------------------------------------------

    def act(self, target: Target, params: Any, notify: Callable[[], None]) -> Outcome:
        """Apply the component action ``target`` names with untrusted ``params``, as a
        view's action: all or nothing, bad input :class:`Rejected`, an expression that
        raises :class:`Failed` (``notify`` tells the page)."""
        component = self._live.get(target.component)
        if component is None:
            return self._unknown(target)
        store = component.store
        try:
            plan = store.prepare(target.name, params)
        except ExpressionError as error:
            self._log.error(
                "view.component.action.failed",
                component=target.component,
                action=target.name,
                exc_info=error,
            )
            notify()
            return Failed(error)
        except ViewError as error:
            self._log.warning(
                "view.component.action.rejected",
                component=target.component,
                action=target.name,
                error=str(error),
            )
            return Rejected(error)
        if plan is None:
            self._settle(component)
            return Ignored(f"the guard of action {target.name!r} of {target.component} is false")
        store.carry_out(plan)
        self._settle(component)
        return Applied()

    def input(self, target: Target, value: Any) -> Outcome:
        """Write client field ``target.name`` of the component with an untrusted value."""
        component = self._live.get(target.component)
        if component is None:
            return self._unknown(target)
        try:
            component.store.input(target.name, value)
        except ViewError as error:
            self._log.warning(
                "view.component.input.rejected",
                component=target.component,
                field=target.name,
                error=str(error),
            )
            return Rejected(error)
        self._settle(component)
        return Applied()

    def _settle(self, component: Component) -> None:
        """After an event: the component's messages go to the view; it re-renders at the
        view's next render if anything changed (its recompute runs then)."""
        store = component.store
        if store.recompute():
            component._av_stale = True
            self.changed = True
            parent = component._av_parent
            while parent is not None:  # its element holds this one's
                parent._av_stale = True
                parent = parent._av_parent
        effects, store.effects = store.effects, []
        sends = type(component).__component_spec__.sends
        for effect in effects:
            if effect.kind != "tell":
                continue
            message = effect.args["message"]
            if not isinstance(message, sends):
                raise ComponentError(
                    self.view,
                    component.id,
                    f"ops.tell_parent gave {message!r}, but {type(component).__name__} "
                    f"sends {', '.join(k.__name__ for k in sends) or 'nothing'}. Tell one "
                    f"of those, or add its type to sends=(...).",
                )
            self._tell(message)

    def _unknown(self, target: Target) -> Outcome:
        error = UnknownComponent(self.view, target.component, self._live)
        self._log.warning("view.component.unknown", component=target.component)
        return Rejected(error)


def _holds_component(node: Element) -> str | None:
    """The id of the first component in ``node`` (itself included), if any."""
    cid = node.attrs.get(COMPONENT_ATTR)
    if isinstance(cid, str):
        return cid
    for child in node.children:
        if isinstance(child, Element) and (found := _holds_component(child)) is not None:
            return found
    return None


def _slots(tree: Node, path: tuple[int, ...] = ()) -> list[tuple[tuple[int, ...], StreamSlot]]:
    """Every stream container of ``tree`` with its path (child indexes), components'
    elements skipped (they hold none)."""
    if isinstance(tree, StreamSlot):
        return [(path, tree)]
    if not isinstance(tree, Element) or (path and COMPONENT_ATTR in tree.attrs):
        return []
    found: list[tuple[tuple[int, ...], StreamSlot]] = []
    for index, child in enumerate(tree.children):
        if isinstance(child, (Element, StreamSlot)):
            found.extend(_slots(child, (*path, index)))
    return found


def _replace(tree: Element, path: tuple[int, ...], new: Node) -> Element:
    """``tree`` with the node at ``path`` replaced by ``new`` (the rest shared)."""
    index, rest = path[0], path[1:]
    child = tree.children[index]
    replaced = new if not rest else _replace(child, rest, new)  # type: ignore[arg-type]
    children = (*tree.children[:index], replaced, *tree.children[index + 1 :])
    return Element(tree.tag, tree.attrs, children, tree.key)


_RESERVED = frozenset(n for n in dir(Component) if n != "key") | {"id", "renders"}
