// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Suggest-as-you-type: article titles from /api/suggest into the input's <datalist>;
  // choosing one opens its article (typing a title by hand still searches).
  function suggest(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    var timer = null, last = "", urls = {};
    input.addEventListener("input", function (event) {
      var chosen = urls[input.value];
      if (chosen && (!event.inputType || event.inputType === "insertReplacementText")) {
        window.location.assign(chosen);
        return;
      }
      var q = input.value.trim();
      clearTimeout(timer);
      if (q.length < 2 || q === last) return;
      timer = setTimeout(function () {
        last = q;
        var url = input.dataset.suggest + "?q=" + encodeURIComponent(q) + "&lang=" + encodeURIComponent(input.dataset.lang || "");
        fetch(url, {headers: {"Accept": "application/json"}}).then(function (r) {
          return r.ok ? r.json() : {suggestions: []};
        }).then(function (data) {
          list.textContent = "";
          urls = {};
          (data.suggestions || []).forEach(function (s) {
            var option = document.createElement("option");
            option.value = s.title;
            urls[s.title] = s.url;
            list.appendChild(option);
          });
        }).catch(function () {});
      }, 120);
    });
  }

  function post(form, extra, keepalive) {
    var body = new FormData(form);
    Object.keys(extra || {}).forEach(function (k) { body.set(k, extra[k]); });
    return fetch(form.action, {method: "POST", body: body, headers: {"Accept": "application/json"},
                               credentials: "same-origin", keepalive: !!keepalive})
      .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); });
  }

  // A message shown in place of the form that was used: the focus moves to it, so it is read
  // out and the keyboard goes on from there (the hidden form's button took the focus away).
  function shownWithFocus(message) {
    message.hidden = false;
    message.setAttribute("tabindex", "-1");
    message.focus();
  }

  // A form on its way to the server: its buttons say so (aria-disabled keeps the focus on the
  // tapped button, where `disabled` would drop it to the page) and further taps are ignored
  function busy(form, on) {
    form.setAttribute("aria-busy", on ? "true" : "false");
    form.querySelectorAll("button").forEach(function (b) {
      if (on) b.setAttribute("aria-disabled", "true"); else b.removeAttribute("aria-disabled");
    });
  }

  // One send at a time from `form`: start() is false while one is on its way. A page the
  // Back button brings back from its cache (after a fallback post) takes taps again.
  function oneAtATime(form) {
    var sending = false;
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { sending = false; busy(form, false); }
    });
    return function start() {
      if (sending) return false;
      sending = true;
      busy(form, true);
      return true;
    };
  }

  // "Was this helpful?": vote without leaving the page; on "No" offer the comment box. One
  // vote at a time: "Yes" then "No" tapped before the answer would show both follow-ups.
  function vote(form) {
    var followup = form.parentNode.querySelector(".vote-followup");
    var start = oneAtATime(form);
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !followup) return;  // old browser: let the form post normally
      event.preventDefault();
      if (!start()) return;
      var fallback = function () {  // post the classic way, keeping the chosen answer
        var field = document.createElement("input");
        field.type = "hidden"; field.name = "helpful"; field.value = button.value;
        form.appendChild(field);
        form.submit();
      };
      post(form, {helpful: button.value}).then(function (res) {
        if (!res.ok) { fallback(); return; }
        form.hidden = true;
        showVoted(followup, res.data);
      }).catch(fallback);
    });
  }

  // The follow-up for the vote the server took, and only that one
  function showVoted(followup, data) {
    var yes = followup.querySelector("[data-thanks-yes]"), no = followup.querySelector("[data-thanks-no]");
    followup.hidden = false;
    yes.hidden = !data.helpful;
    no.hidden = !!data.helpful;
    if (data.helpful) {
      shownWithFocus(yes);
    } else {
      no.querySelector("input[name=token]").value = data.token;
      no.querySelector("textarea").focus();
    }
  }

  // The comment after a "No": sent once however often the button is tapped while it is on
  // its way (the server takes the same comment again as saved, too: a page without this script)
  function comment(form) {
    var start = oneAtATime(form);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!start()) return;
      post(form).then(function (res) {
        if (!res.ok) { form.submit(); return; }  // the server's page says why, with the text kept
        form.hidden = true;
        var thanks = form.parentNode.querySelector("[data-comment-thanks]");
        if (thanks) shownWithFocus(thanks);
      }).catch(function () { form.submit(); });
    });
  }

  // Agents: copy an answer to the clipboard (the text stays selectable without JS).
  function copy(button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copy);
      var done = function () {
        button.textContent = button.dataset.done;
        // an agent's copy after searching a customer's words is evidence for learned questions
        var record = document.querySelector("form[data-copy-record='" + button.dataset.copy + "']");
        // kept alive: an agent often leaves the page right after copying, which would cancel it
        if (record) post(record, null, true).catch(function () {});
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(done, function () { source.select(); });
      } else {
        source.select();
        if (document.execCommand("copy")) done();
      }
    });
  }

  // A form sent back with an error: the field to correct has the focus, so a keyboard or
  // screen reader user lands on it (the error is announced and describes it)
  var invalid = document.querySelector("form [aria-invalid=true]");
  if (invalid) invalid.focus();

  // A results page keeps its search's id in its address: a reload or the Back button then
  // shows that search again instead of counting another one (kb/web/searched.py)
  var shown = document.querySelector("[data-search]");
  if (shown && window.history && history.replaceState) {
    var address = new URL(window.location.href);
    if (address.searchParams.get("s") !== shown.dataset.search) {
      address.searchParams.set("s", shown.dataset.search);
      history.replaceState(history.state, "", address.toString());
    }
  }

  document.querySelectorAll("input[data-suggest]").forEach(suggest);
  document.querySelectorAll("button[data-copy]").forEach(copy);
  document.querySelectorAll("form[data-enhance=vote]").forEach(vote);
  document.querySelectorAll("form[data-enhance=comment]").forEach(comment);
})();
