// Live preview on the article edit page: the draft is posted to the server, which renders it with
// the portal's renderer and sanitiser and runs `kb check`; the page works without this file.
(function () {
  "use strict";
  var DELAY_MS = 400;

  // The preview is no live region (a screen reader would read the whole article at each pause in
  // typing): the page's status region says "preview updated, n check results", only when that changes.
  function announcer(target) {
    var region = document.getElementById("preview-status");
    var last = null;
    return function (quiet) {
      var found = target.querySelector("[data-preview-status]");
      var text = found ? found.textContent.trim() : "";
      if (!region || !text || text === last) return;
      last = text;
      if (!quiet) region.textContent = text;
    };
  }

  function start(form) {
    var target = document.getElementById("preview");
    if (!target || !form.dataset.preview) return;
    var timer = null, pending = null, sent = "", shown = 0;
    var announce = announcer(target);
    announce(true);  // a preview the page came with is no change to announce
    function send() {
      var body = new FormData(form);
      body.delete("action");
      body.delete("image");  // the preview renders the text; an image is sent only when added
      var key = new URLSearchParams(body).toString();
      if (key === sent) return;
      sent = key;
      if (pending) pending.abort();
      pending = new AbortController();
      var first = shown++ === 0;  // the preview that replaces the page's placeholder, not typed
      fetch(form.dataset.preview, {method: "POST", body: body, credentials: "same-origin",
                                   signal: pending.signal, headers: {"Accept": "text/html"}})
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) return;
          target.innerHTML = html;
          announce(first);
        })
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

  // An image over the server's limit is never sent. The upload button skips the form's validation
  // (the image needs no title yet), so the browser's own check would not stop it: the submit is
  // stopped here, and the message stands next to the field, announced, with the field marked.
  function checkSize(form, input) {
    var max = Number(input.dataset.maxBytes || 0);
    var message = document.getElementById("f-image-error");
    function tooLarge() {
      var file = input.files && input.files[0];
      var over = Boolean(file && max && file.size > max);
      if (message) {
        message.textContent = "";
        if (over) {
          var text = document.createElement("p");
          text.className = "notice error";
          text.textContent = input.dataset.tooLarge || "";
          message.appendChild(text);
        }
      }
      if (over) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
      return over;
    }
    input.addEventListener("change", tooLarge);
    form.addEventListener("submit", function (event) {
      var by = event.submitter;
      if (by && by.value === "image" && tooLarge()) {
        event.preventDefault();
        event.stopImmediatePropagation();  // the page stays: its preview goes on as before
        input.focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.article-form");
    if (!form) return;
    var image = document.getElementById("f-image");
    if (image) checkSize(form, image);  // first: a stopped upload is no submit to the preview
    start(form);
  });
})();
