// The item editor's safety net around htmx's autosave, so that no typed text is lost
// without the editor being told:
// - an autosave that fails (the log-in ended, a server error, no network) says so
//   beside the Save button; htmx alone would log it to the console and show nothing;
// - the text typed in this tab is kept in sessionStorage until the server holds it; when
//   the editor comes back to the item (after logging in again, after leaving the page
//   before the autosave ran) and the stored text differs, the page offers to put it back;
// - leaving the page with typing not yet saved asks first.
// The editor's address and the address a Save answers at (.../save: a conflict, a
// refusal) keep one text. A Save the server stored comes back with `?saved=1`: the text
// it sent is stored (perhaps tidied, spaces collapsed), so none is offered back.
// Without this script, the Save button does everything and nothing is kept aside.
(function () {
  "use strict";
  var form = document.querySelector("form.item-form");
  if (!form || !document.getElementById("save-state") || !form.hasAttribute("hx-post")) {
    return;
  }
  var FIELDS = ["headline", "teaser", "body"];
  var key = "newsdesk-unsaved:" + window.location.pathname.replace(/save$/, "");
  var typed = 0;      // edits since the page loaded
  var sentAt = -1;    // the value of `typed` when the last autosave left
  var savedAt = 0;    // the value of `typed` the server last confirmed
  var sending = false;  // an autosave is on its way: its answer brings the new version
  var saveAfter = false;  // Save was pressed meanwhile: it is sent once the answer came

  function values() {
    var out = {};
    FIELDS.forEach(function (name) { out[name] = form.elements[name].value; });
    return out;
  }

  function same(a, b) {
    return FIELDS.every(function (name) {
      return (a[name] || "").trim() === (b[name] || "").trim();
    });
  }

  function read() {
    try { return JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function keep(sent) {
    var kept = values();
    kept.at = new Date().toLocaleTimeString();
    if (sent) { kept.sent = true; }  // what the Save button sent, nothing typed after
    try { window.sessionStorage.setItem(key, JSON.stringify(kept)); } catch (e) { /* full */ }
  }

  function forget() {
    try { window.sessionStorage.removeItem(key); } catch (e) { /* unavailable */ }
  }

  // the status line beside Save, looked up each time: every autosave's answer replaces
  // it (an out-of-band swap), so the one the page was loaded with is gone after the first
  function state() { return document.getElementById("save-state"); }

  function say(text) {
    var line = state();
    line.textContent = "";
    var strong = document.createElement("strong");
    strong.className = "conflict";
    strong.textContent = text;
    line.appendChild(strong);
  }

  function button(label, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", action);
    return b;
  }

  // a Save this tab sent that the server stored: what was kept for it is stored; the
  // address loses the mark, so that a reload later is an ordinary one
  var address = new URL(window.location.href);
  if (address.searchParams.has("saved")) {
    address.searchParams.delete("saved");
    window.history.replaceState(window.history.state, "", address.pathname + address.search +
                                address.hash);
    var sent = read();
    if (sent && sent.sent) { forget(); }
  }

  // text typed earlier in this tab that the server does not hold: offer it back
  var kept = read();
  if (form.hasAttribute("data-unsaved")) {
    // a refused save: the form holds the text as sent, not stored; a conflict: the form
    // holds the other version and the page shows this tab's beside it. Either way the
    // text stays kept, and leaving the page asks first
    typed = 1;
    if (!document.querySelector(".conflict-box")) { keep(); }
  } else if (kept && !same(kept, values())) {
    var notice = document.createElement("div");
    notice.className = "notice failed";
    notice.setAttribute("role", "alert");
    var p = document.createElement("p");
    p.textContent = "This tab holds text you typed at " + kept.at +
      " that is not what is stored. Put it back in the form to look at it and save it.";
    notice.appendChild(p);
    notice.appendChild(button("Put my text back", function () {
      FIELDS.forEach(function (name) { form.elements[name].value = kept[name] || ""; });
      typed += 1;
      notice.remove();
      form.elements.headline.focus();
    }));
    notice.appendChild(document.createTextNode(" "));
    notice.appendChild(button("Discard it", function () {
      forget();
      notice.remove();
      form.elements.headline.focus();
    }));
    form.parentNode.insertBefore(notice, form);
  } else {
    forget();
  }

  form.addEventListener("input", function () { typed += 1; keep(); });
  form.addEventListener("submit", function (event) {
    if (sending && !saveAfter) {
      // sent now, Save would carry the version from before the autosave the server is
      // storing, and be refused as someone else's change: it waits for the answer (a
      // second press does not)
      event.preventDefault();
      saveAfter = true;
      return;
    }
    saveAfter = false;
    savedAt = typed;
    keep(true);
  });

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt === form) { sentAt = typed; sending = true; }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form) { return; }
    sending = false;
    if (event.detail.successful && !state().querySelector(".conflict")) {
      savedAt = sentAt;  // stored: nothing to keep aside any more
      if (savedAt === typed) { forget(); }
    }
    if (saveAfter) {
      saveAfter = false;
      form.requestSubmit();
    }
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    if (event.detail.elt !== form) { return; }
    var status = event.detail.xhr.status;
    if (status === 401) {
      say("Not saved: your log-in has ended. Your text stays in this tab: log in again " +
          "(Save takes you there) and this page offers it back.");
    } else if (status === 403) {
      say("Not saved: the desk refused the change (403). Reload the page; this tab offers " +
          "your text back.");
    } else {
      say("Not saved: the server answered " + status + ". Your text is still in the form; " +
          "press Save to try again.");
    }
  });
  document.body.addEventListener("htmx:sendError", function (event) {
    if (event.detail.elt !== form) { return; }
    say("Not saved: the desk cannot be reached. Your text is still in the form; press Save " +
        "when the connection is back.");
  });
  window.addEventListener("beforeunload", function (event) {
    if (typed !== savedAt) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
