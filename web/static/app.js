// mailcheck serve: live progress (Server-Sent Events) and the copy button. No framework; served by the
// binary itself so the page works offline under script-src 'self'. Every server string is set with
// textContent, never as HTML.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var list = document.getElementById("progress");
  if (list && list.dataset.events && window.EventSource) {
    var state = document.getElementById("state");
    var seen = list.children.length;
    var skip = seen;
    var es = new EventSource(list.dataset.events);
    es.onmessage = function (e) {
      if (skip > 0) { skip--; return; } // lines already on the page
      var li = document.createElement("li");
      li.textContent = e.data;
      list.appendChild(li);
    };
    es.addEventListener("done", function (e) {
      es.close();
      state.textContent = "Done: opening the report…";
      if (e.data.indexOf("/r/") === 0) { window.location.assign(e.data); }
    });
    es.addEventListener("failed", function (e) {
      es.close();
      state.textContent = "Failed: " + e.data;
    });
    es.onerror = function () {
      if (es.readyState === EventSource.CLOSED) { state.textContent = "Connection lost: reload the page."; }
    };
  }
  document.querySelectorAll("button.copy").forEach(function (b) {
    b.addEventListener("click", function () {
      var src = document.getElementById(b.dataset.copy);
      var note = b.parentNode.querySelector(".copied");
      if (!src || !navigator.clipboard) { if (note) { note.textContent = "Select the text and copy it."; } return; }
      navigator.clipboard.writeText(src.textContent).then(function () {
        if (note) { note.textContent = "Copied."; }
      }, function () {
        if (note) { note.textContent = "Copying failed: select the text and copy it."; }
      });
    });
  });
});
