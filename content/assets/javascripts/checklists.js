/* Interactive checklists: ticks are kept in this browser (localStorage), per role,
 * checklist and period (today, this ISO week, this month ...), with a reset button.
 * Works from a web server and from a file share; loads nothing. */
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function isoWeek(day) {
    var d = new Date(Date.UTC(day.getFullYear(), day.getMonth(), day.getDate()));
    var weekday = d.getUTCDay() || 7;
    d.setUTCDate(d.getUTCDate() + 4 - weekday);
    var yearStart = new Date(Date.UTC(d.getUTCFullYear(), 0, 1));
    var week = Math.ceil(((d - yearStart) / 86400000 + 1) / 7);
    return d.getUTCFullYear() + "-W" + pad(week);
  }

  /* The period a tick belongs to, from the checklist's frequency; null: no period. */
  function period(frequency, now) {
    var y = now.getFullYear(), m = now.getMonth() + 1;
    switch (frequency) {
      case "daily": return y + "-" + pad(m) + "-" + pad(now.getDate());
      case "weekly": return isoWeek(now);
      case "monthly": return y + "-" + pad(m);
      case "quarterly": return y + "-Q" + (Math.floor((m - 1) / 3) + 1);
      case "yearly": return String(y);
      default: return null;
    }
  }

  function storage() {
    try {
      var probe = "__handbook__";
      window.localStorage.setItem(probe, probe);
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null; /* private mode or disabled: ticks work, but are not kept */
    }
  }

  function setup(box, store, now) {
    var data = box.dataset;
    var current = period(data.frequency, now);
    var key = ["handbook", data.role, data.checklist, current || "ongoing"].join(":");
    var inputs = box.querySelectorAll('input[type="checkbox"]');
    var saved = {};
    try { saved = JSON.parse((store && store.getItem(key)) || "{}"); } catch (e) { saved = {}; }

    Array.prototype.forEach.call(inputs, function (input, index) {
      var item = input.closest("li");
      var text = "";
      if (item) { /* the item's own words, without its evidence note */
        var words = item.cloneNode(true);
        Array.prototype.forEach.call(words.querySelectorAll("small"), function (n) { n.remove(); });
        text = words.textContent.trim();
      }
      input.disabled = false;
      input.setAttribute("aria-label", text);
      input.checked = saved[index] === true;
      input.addEventListener("change", function () {
        saved[index] = input.checked;
        if (store) store.setItem(key, JSON.stringify(saved));
      });
    });

    var bar = document.createElement("p");
    bar.className = "checklist-state";
    var label = document.createElement("span");
    label.className = "checklist-period";
    label.textContent = data.labelPeriod + "：" + (current || data.labelOngoing);
    var reset = document.createElement("button");
    reset.type = "button";
    reset.className = "md-button checklist-reset";
    reset.textContent = data.labelReset;
    reset.addEventListener("click", function () {
      if (!window.confirm(data.labelConfirm)) return;
      saved = {};
      if (store) store.removeItem(key);
      Array.prototype.forEach.call(inputs, function (input) { input.checked = false; });
    });
    bar.appendChild(label);
    bar.appendChild(reset);
    box.insertBefore(bar, box.firstChild);
  }

  function init() {
    var store = storage();
    var now = new Date();
    Array.prototype.forEach.call(document.querySelectorAll(".checklist[data-checklist]"),
      function (box) { setup(box, store, now); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
