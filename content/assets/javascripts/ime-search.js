/* Search on committed text, never on an input method's unfinished composition.
 *
 * Material's search box runs the query on `keyup`. Text that arrives without a key-up
 * (committed by a Chinese input method, pasted with the mouse, dictated) was not searched
 * until another key was pressed; and the key-ups of pinyin being typed searched the
 * unfinished pinyin. Here, for the search box only:
 * - every committed input (an `input` event outside a composition, or `compositionend`)
 *   gets a synthetic `keyup`, the event Material listens to (it ignores repeats of a query);
 * - key-ups during a composition, and an Enter that confirms a candidate (Chromium:
 *   keydown during the composition; Safari: keyCode 229 right after `compositionend`),
 *   are stopped before Material's handlers, so no query runs and no result opens.
 * Served and offline (file://) sites alike; loads nothing. */
(function () {
  "use strict";

  function isSearchBox(target) {
    return target instanceof HTMLInputElement && target.matches('[data-md-component="search-query"]');
  }

  function search(event) {
    if (isSearchBox(event.target) && !(event.type === "input" && event.isComposing)) {
      event.target.dispatchEvent(new KeyboardEvent("keyup"));
    }
  }

  function stopComposing(event) {
    var imeKey = event.isComposing || event.keyCode === 229;
    var stop = event.type === "keyup" ? event.isComposing : imeKey && event.key === "Enter";
    if (stop && isSearchBox(event.target)) event.stopPropagation();
  }

  // Capture phase on window: before Material's listeners on the box and on window.
  window.addEventListener("input", search, true);
  window.addEventListener("compositionend", search, true);
  window.addEventListener("keydown", stopComposing, true);
  window.addEventListener("keyup", stopComposing, true);
})();
