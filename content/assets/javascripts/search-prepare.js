/* Search gets ready when the reader turns to it.
 *
 * The served handbook's search worker (generator/site/search_worker.js) loads Pagefind
 * (its runtime and the metadata of every part of the index, about 180 KB at 1,000
 * roles) only when it is needed, not with every page. When the search box gets focus,
 * this tells the worker to start, so that the loading is done while the query is typed.
 * Loads nothing itself; on a handbook searched by Material's own search (opened from a
 * file) nobody listens. */
(function () {
  "use strict";

  var PREPARE = "handbook-search-prepare";  // the worker's channel

  function prepare(event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.matches('[data-md-component="search-query"]')) return;
    document.removeEventListener("focusin", prepare);  // once a page
    try {
      var channel = new BroadcastChannel(PREPARE);
      channel.postMessage("focus");
      channel.close();
    } catch (error) {
      // No channel (an old browser, a page without an origin): the first query loads it.
    }
  }

  document.addEventListener("focusin", prepare);
})();
