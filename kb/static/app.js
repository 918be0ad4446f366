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

  // "Was this helpful?": vote without leaving the page; on "No" offer the comment box.
  function vote(form) {
    var followup = form.parentNode.querySelector(".vote-followup");
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !followup) return;  // old browser: let the form post normally
      event.preventDefault();
      var fallback = function () {  // post the classic way, keeping the chosen answer
        var field = document.createElement("input");
        field.type = "hidden"; field.name = "helpful"; field.value = button.value;
        form.appendChild(field);
        form.submit();
      };
      post(form, {helpful: button.value}).then(function (res) {
        if (!res.ok) { fallback(); return; }
        form.hidden = true;
        followup.hidden = false;
        if (res.data.helpful) {
          shownWithFocus(followup.querySelector("[data-thanks-yes]"));
        } else {
          var box = followup.querySelector("[data-thanks-no]");
          box.hidden = false;
          box.querySelector("input[name=token]").value = res.data.token;
          box.querySelector("textarea").focus();
        }
      }).catch(fallback);
    });
  }

  function comment(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      post(form).then(function (res) {
        if (!res.ok) { form.submit(); return; }
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

  // Agents: "answered with" lists every article of the help centre; its find field narrows
  // the list as one types (without JavaScript the field's form asks the server to). The
  // words match as kb/web/questions.py matches them: folded, umlauts written out.
  function fold(text) {
    return text.toLowerCase().replace(/ä/g, "ae").replace(/ö/g, "oe").replace(/ü/g, "ue")
      .replace(/ß/g, "ss").normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/['\u2019`\u00b4\-\u2010\u2013]/g, "").replace(/[^a-z0-9]+/g, " ").trim();
  }

  function narrows(input) {
    var select = document.getElementById(input.dataset.narrows);
    var count = document.getElementById(input.getAttribute("aria-describedby"));
    if (!select || !count) return;
    var groups = Array.prototype.map.call(select.querySelectorAll("optgroup"), function (group) {
      return {group: group, options: Array.prototype.slice.call(group.querySelectorAll("option"))};
    });
    var narrow = function () {
      var words = fold(input.value).split(" ").filter(Boolean), shown = [];
      groups.forEach(function (g) {
        g.group.textContent = "";
        g.options.forEach(function (option) {
          var key = option.dataset.key;
          if (words.every(function (w) { return key.indexOf(w) !== -1; })) {
            g.group.appendChild(option);
            shown.push(option);
          }
        });
        g.group.hidden = g.group.children.length === 0;
      });
      if (shown.length === 1) shown[0].selected = true;
      else if (select.selectedOptions.length === 0) select.value = "";
      var text = words.length ? count.dataset.matching.replace("{words}", input.value.trim()) : count.dataset.all;
      count.textContent = text.replace("{n}", shown.length);
    };
    input.addEventListener("input", narrow);
    if (input.defaultValue === "") {  // the whole list is on the page: no need to ask the server
      input.form.addEventListener("submit", function (event) {
        event.preventDefault();
        select.focus();
      });
    }
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
  document.querySelectorAll("input[data-narrows]").forEach(narrows);
  document.querySelectorAll("form[data-enhance=vote]").forEach(vote);
  document.querySelectorAll("form[data-enhance=comment]").forEach(comment);
})();
