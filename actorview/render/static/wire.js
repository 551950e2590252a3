/*
 * The op codes, the first item of every patch op: the same table as OP_CODES in
 * actorview/render/_wire.py (tests/render/test_wire_codes.py holds the two together);
 * docs/PROTOCOL.md lists them. The one place the browser names a code.
 */
export const OP = Object.freeze({
  APPEND_TEXT: "a",
  SET_TEXT: "t",
  SET_ATTR: "s",
  REMOVE_ATTR: "r",
  REPLACE_NODE: "R",
  SET_INNER_HTML: "h",
  UPDATE_CHILDREN: "c",
  STREAM_INSERT_ITEM: "i",
  STREAM_DELETE_ITEM: "d",
  STREAM_RESET_ITEMS: "x",
  STREAM_PROMOTE_TAIL: "p",
});

/*
 * The page frames: the "t" tag of the control frames that tell the page something besides
 * its render, the same table as PAGE_FRAMES in actorview/render/_wire.py.
 *   {"t":"event","name","payload"}  a pushed event for the hooks' handleEvent (hooks.js)
 *   {"t":"flash","kind","text"}     a toast (toasts.js)
 *   {"t":"title","text"}            document.title
 */
export const FRAME = Object.freeze({
  EVENT: "event",
  FLASH: "flash",
  TITLE: "title",
});
