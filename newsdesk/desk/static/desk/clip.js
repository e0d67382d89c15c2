// The clip page asks the article's window (its opener) for the page's HTML.
// Only an answer from that window, at the article's origin, is taken; the HTML goes
// into a read-only form field, never into the page, and the server cleans it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-page-origin]");
  if (!form || !window.opener) {
    return;
  }
  var origin = form.getAttribute("data-page-origin");
  var limit = parseInt(form.getAttribute("data-html-limit"), 10) || 0;
  var field = form.querySelector("textarea[name=html]");
  var box = form.querySelector("details.page-html");
  var size = form.querySelector(".html-size");
  var state = form.querySelector(".html-state");
  window.addEventListener("message", function (event) {
    if (event.source !== window.opener || event.origin !== origin) {
      return;
    }
    var data = event.data;
    if (!data || data.newsdesk !== "page" || typeof data.html !== "string") {
      return;
    }
    field.value = limit ? data.html.slice(0, limit) : data.html;
    size.textContent = String(field.value.length);
    box.hidden = false;
    state.textContent = "The page's HTML arrived: if the text box is empty, the text is read from it.";
  });
  window.opener.postMessage("newsdesk:send-page", origin);
})();
