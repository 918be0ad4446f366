// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Suggestions while typing: an ARIA 1.2 combobox with a listbox popup (aria-autocomplete=list)
  // over /api/suggest, built on the plain search form of _search_form.html (without this script
  // the field stays an ordinary search box and the listbox stays hidden). The titles are shown as
  // the API returns them, in its order: the browser filters nothing. The focus stays in the field;
  // the option the arrows reach is its aria-activedescendant.
  //   ArrowDown / ArrowUp  next / previous option, wrapping around at either end; on a closed
  //                        list they open it again (first / last option) if it still fits the
  //                        text, else they ask for suggestions to the text at once
  //   Enter                on an active option: open its article; else submit the search as typed
  //   Escape               close the list (the text stays); a second Escape clears the field
  //   Tab, leaving         close the list (Tab moves on as usual)
  //   click / tap          open the option's article
  // A request waits until typing pauses (SUGGEST_PAUSE_MS) and needs SUGGEST_MIN_CHARS; only the
  // answer to the latest request is shown (an older one still on its way is aborted or ignored).
  var SUGGEST_PAUSE_MS = 150, SUGGEST_MIN_CHARS = 2;

  function suggest(input) {
    var list = document.getElementById(input.dataset.listbox);
    var status = document.getElementById(input.dataset.status);
    if (!list || !status || !window.fetch) return;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    var timer = null, latest = 0, pending = null, shownFor = null, active = -1;

    function options() { return list.querySelectorAll("[role=option]"); }

    function setActive(index) {
      var all = options();
      if (active >= 0 && all[active]) all[active].setAttribute("aria-selected", "false");
      active = index;
      if (index < 0 || !all[index]) {
        active = -1;
        input.removeAttribute("aria-activedescendant");
        return;
      }
      all[index].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", all[index].id);
      if (all[index].scrollIntoView) all[index].scrollIntoView({block: "nearest"});
    }

    // opening says how many suggestions there are (the polite status); closing empties it,
    // so the count is read out again when the list opens again
    function open() {
      var n = options().length;
      if (!n || document.activeElement !== input) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = n === 1 ? status.dataset.one : status.dataset.many.replace("{n}", n);
    }

    function close() {
      setActive(-1);
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      status.textContent = "";
    }

    function cancel() {  // no request waiting or on its way counts any more
      clearTimeout(timer);
      latest++;
      if (pending) { pending.abort(); pending = null; }
    }

    function forget() {  // no suggestions for what the field holds now
      close();
      list.textContent = "";
      shownFor = null;
    }

    function show(q, suggestions) {
      list.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      suggestions.forEach(function (s, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        if (s.lang) option.setAttribute("lang", s.lang);
        option.dataset.url = s.url;
        option.textContent = s.title;
        list.appendChild(option);
      });
      shownFor = q;
      close();  // the count of before goes; open() says the new one (none found: nothing)
      open();
    }

    function ask(q) {
      cancel();
      var mine = latest;
      pending = window.AbortController ? new AbortController() : null;
      var url = input.dataset.suggest + "?q=" + encodeURIComponent(q) + "&lang=" + encodeURIComponent(input.dataset.lang || "");
      fetch(url, {headers: {"Accept": "application/json"}, signal: pending ? pending.signal : undefined}).then(function (r) {
        return r.ok ? r.json() : {suggestions: []};
      }).then(function (data) {
        if (mine !== latest) return;  // typed on meanwhile: a later answer counts, not this one
        pending = null;
        show(q, data.suggestions || []);
      }).catch(function () {});
    }

    function chosen(option) {
      close();
      window.location.assign(option.dataset.url);
    }

    input.addEventListener("input", function () {
      var q = input.value.trim();
      cancel();  // whatever is on its way was asked for other text
      if (q.length < SUGGEST_MIN_CHARS) { forget(); return; }
      if (q === shownFor) { open(); return; }
      timer = setTimeout(function () { ask(q); }, SUGGEST_PAUSE_MS);
    });

    input.addEventListener("keydown", function (event) {
      if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
      var n = options().length, expanded = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        var down = event.key === "ArrowDown";
        if (!expanded) {
          var q = input.value.trim();
          if (!n || shownFor !== q) {  // e.g. the query a results page shows: ask at once
            if (q.length >= SUGGEST_MIN_CHARS) { event.preventDefault(); ask(q); }
            return;
          }
          event.preventDefault();
          open();
          setActive(down ? 0 : n - 1);
          return;
        }
        event.preventDefault();
        setActive(active < 0 ? (down ? 0 : n - 1) : (active + (down ? 1 : n - 1)) % n);
      } else if (event.key === "Enter") {
        if (expanded && active >= 0) {
          event.preventDefault();
          chosen(options()[active]);
        } else {
          close();  // the form is submitted as typed
        }
      } else if (event.key === "Escape") {
        event.preventDefault();  // a search field's own Escape would clear the text at once
        if (expanded) { close(); return; }
        if (input.value) { input.value = ""; cancel(); forget(); }
      } else if (event.key === "Tab") {
        close();
      }
    });

    // An option is pressed before the field loses the focus: keeping the focus in the field
    // (no blur) lets the click that follows open the article instead of closing the list first.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest ? event.target.closest("[role=option]") : null;
      if (option && list.contains(option)) chosen(option);
    });
    // leaving the field (or submitting the search) closes the list, and an answer still to
    // come no longer opens it; the suggestions shown stay for ArrowDown back in the field
    input.addEventListener("blur", function () { cancel(); close(); });
    if (input.form) input.form.addEventListener("submit", function () { cancel(); close(); });
    // back to a page kept in the browser's cache: no list left open from before
    window.addEventListener("pageshow", function (event) { if (event.persisted) close(); });
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
    var chosen = null;  // the option the narrowing chose, while the agent has not chosen another
    select.addEventListener("change", function () { chosen = null; });
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
      if (shown.length === 1) {
        shown[0].selected = true;
        chosen = shown[0];
      } else {
        // the list widened again: a choice only the narrowing made is taken back, so clearing
        // the field never leaves an article the agent did not pick to be recorded with the request
        if (chosen && chosen.selected) chosen.selected = false;
        chosen = null;
        if (select.selectedOptions.length === 0) select.value = "";
      }
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
