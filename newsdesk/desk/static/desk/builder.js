// The issue builder's drag and drop: a small enhancement over the Up and Down buttons.
// Dropping an item posts the new order as JSON to the endpoint the buttons use, then
// reloads the page so what shows is what was stored. Without this script, the buttons
// do everything.
(function () {
  "use strict";
  var list = document.getElementById("builder-items");
  if (!list || !list.dataset.orderUrl) { return; }
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (!token) { return; }
  var help = document.getElementById("drag-help");
  if (help) { help.hidden = false; }
  var dragged = null;
  var before = "";

  function order() {
    return Array.prototype.map.call(list.querySelectorAll("li[data-item]"), function (li) {
      return Number(li.dataset.item);
    });
  }

  function send(ids) {
    list.setAttribute("aria-busy", "true");
    fetch(list.dataset.orderUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token.value },
      // the version the page was rendered at: a stale order is refused (409), never
      // stored over another editor's change
      body: JSON.stringify({ order: ids, version: list.dataset.version || "" })
    }).then(function () { window.location.reload(); },
            function () { window.location.reload(); });
  }

  Array.prototype.forEach.call(list.querySelectorAll("li[data-item]"), function (li) {
    li.draggable = true;
    li.addEventListener("dragstart", function (event) {
      dragged = li;
      before = order().join(",");
      li.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", li.dataset.item);
    });
    li.addEventListener("dragend", function () {
      li.classList.remove("dragging");
      if (dragged && order().join(",") !== before) {
        // dropped outside the list, or the drag was cancelled: show the stored order
        dragged = null;
        window.location.reload();
      }
      dragged = null;
    });
    li.addEventListener("dragover", function (event) {
      if (!dragged || dragged === li) { return; }
      event.preventDefault();
      var box = li.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? li.nextSibling : li);
    });
  });
  // the list takes the drop wherever it lands: on the dragged item itself (which the
  // moves above have put under the pointer), on another one, or between two
  list.addEventListener("dragover", function (event) {
    if (dragged) { event.preventDefault(); }
  });
  list.addEventListener("drop", function (event) {
    if (!dragged) { return; }
    event.preventDefault();
    dragged = null;
    if (order().join(",") !== before) { send(order()); }
  });
})();
