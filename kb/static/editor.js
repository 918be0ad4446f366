// Live preview on the article edit page: the draft is posted to the server, which renders it with
// the portal's renderer and sanitiser and runs `kb check`; the page works without this file.
(function () {
  "use strict";
  var DELAY_MS = 400;

  function start(form) {
    var target = document.getElementById("preview");
    if (!target || !form.dataset.preview) return;
    var timer = null, pending = null, sent = "";
    function send() {
      var body = new FormData(form);
      body.delete("action");
      body.delete("image");  // the preview renders the text; an image is sent only when added
      var key = new URLSearchParams(body).toString();
      if (key === sent) return;
      sent = key;
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(form.dataset.preview, {method: "POST", body: body, credentials: "same-origin",
                                   signal: pending.signal, headers: {"Accept": "text/html"}})
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) target.innerHTML = html; })
        .catch(function () {});
    }
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(send, DELAY_MS);
    });
    // the page is left: a preview still waiting or on its way answers nobody
    form.addEventListener("submit", function () {
      clearTimeout(timer);
      if (pending) pending.abort();
      sent = "";  // a page restored by Back sends its preview again
    });
    send();
  }

  // an image over the server's limit is refused before it is sent (the server says so too)
  function checkSize(input) {
    var max = Number(input.dataset.maxBytes || 0);
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      input.setCustomValidity(file && max && file.size > max ? (input.dataset.tooLarge || "too large") : "");
      input.reportValidity();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.article-form");
    if (form) start(form);
    var image = document.getElementById("f-image");
    if (image) checkSize(image);
  });
})();
