/* Search gets ready when the reader turns to it.
 *
 * The served handbook's search worker (generator/site/search_worker.js) loads Pagefind
 * (its runtime and the metadata of every part of the index, about 180 KB at 1,000
 * roles) only when it is needed, not with every page. When the search box gets focus,
 * this tells the worker to start, so that the loading is done while the query is typed;
 * on a page opened with a query (?q=, a search link), at once: the worker says "hello"
 * when it starts, and is told then if it started after this script ran. Loads nothing
 * itself; on a handbook searched by Material's own search (opened from a file) nobody
 * listens. */
(function () {
  "use strict";

  var PREPARE = "handbook-search-prepare";  // the worker's channel
  var BOX = '[data-md-component="search-query"]';
  var channel;
  try {
    channel = new BroadcastChannel(PREPARE);
  } catch (error) {
    return;  // No channel (an old browser, a page without an origin): the first query loads it.
  }

  function wanted() {
    var box = document.activeElement;
    return new URLSearchParams(location.search).has("q") ||
      (box instanceof HTMLInputElement && box.matches(BOX));
  }

  function prepare() {
    channel.postMessage("prepare");
  }

  document.addEventListener("focusin", function (event) {
    if (event.target instanceof HTMLInputElement && event.target.matches(BOX)) prepare();
  });
  channel.onmessage = function (event) {
    if (event.data === "hello" && wanted()) prepare();
  };
  if (wanted()) prepare();
})();
