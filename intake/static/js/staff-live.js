/* Progressive enhancement for staff pages: the header's urgent figure and the queue's
   "something new" announcement update without a reload. Everything works without this file:
   the figure is drawn with each page and the queue has a Refresh button.

   The header link (#urgent-count) names the URL to ask (data-live-changes: the page's opaque
   cursor) and how often (data-live-seconds). The answer holds counts only. Polling slows down
   while the tab is hidden, backs off when the server fails, and stops for good on 401/403 (the
   session ended: polls never count as activity, so an idle session still times out). On the
   queue the rows are never reshuffled under the reader: it says what arrived and offers a
   button that reloads the queue with its filters.

   The red warning that urgent alerts are not going out (#alert-trouble, role="alert") follows
   the poll on every page that polls: the answer's alert_warning is the warning as the server
   draws it (its words live in the template, none here), or null once the alerts go out again.
   It is shown, changed or removed in place, and only when it changed, so an unchanged warning
   is never announced again. Without this file the warning is the one drawn with the page. */
(function () {
  "use strict";

  var link = document.getElementById("urgent-count");
  if (!link || !window.fetch) return;
  var url = link.getAttribute("data-live-changes");
  var seconds = parseFloat(link.getAttribute("data-live-seconds"));
  if (!url || !(seconds > 0)) return;

  var HIDDEN_FACTOR = 4;
  var MAX_DELAY = 5 * 60 * 1000;
  var box = document.getElementById("queue-changes");
  var politeRegion = document.getElementById("queue-changes-status");
  var alertRegion = document.getElementById("queue-changes-alert");
  var showButton = document.getElementById("queue-changes-show");

  var timer = null;
  var stopped = false;
  var failures = 0;
  var lastPoll = 0;
  var busy = false;
  var shownMessage = "";
  var announcedUrgent = 0;

  function delay() {
    var wait = seconds * 1000;
    if (document.hidden) wait *= HIDDEN_FACTOR;
    if (failures) wait *= Math.pow(2, Math.min(failures, 5));
    return Math.min(wait, Math.max(MAX_DELAY, seconds * 1000));
  }

  function schedule() {
    window.clearTimeout(timer);
    if (!stopped) timer = window.setTimeout(poll, delay());
  }

  function say(message, urgent) {
    if (!box) return;
    var target = urgent ? alertRegion : politeRegion;
    var other = urgent ? politeRegion : alertRegion;
    other.textContent = "";
    target.textContent = message;
  }

  function stop() {
    stopped = true;
    window.clearTimeout(timer);
    if (showButton) showButton.hidden = true;
    say("Live updates stopped: you are signed out. Reload the page to sign in again.", false);
  }

  var unsignedLink = document.getElementById("unsigned-count");
  var main = document.querySelector(".staff-main");

  function showAlertWarning(html) {
    if (!main || html === undefined) return;
    var current = document.getElementById("alert-trouble");
    if (!html) {
      if (!current) return;
      // Focus inside the warning (its link) goes to the page's main region, not to the body.
      var hadFocus = current.contains(document.activeElement);
      current.parentNode.removeChild(current);
      if (hadFocus) document.getElementById("main").focus();
      say("Urgent alerts are going out again.", false);
      return;
    }
    var holder = document.createElement("template");
    holder.innerHTML = html;
    var fresh = holder.content.querySelector("#alert-trouble");
    if (!fresh) return;
    if (!current) {
      // A role="alert" added to the page is announced once, without taking the focus.
      main.insertBefore(fresh, main.firstChild);
    } else if (current.innerHTML !== fresh.innerHTML) {
      // New figures: only the paragraphs that changed are replaced (announced as a change),
      // so a focused link in an unchanged one keeps the focus.
      var before = current.children;
      var after = fresh.children;
      if (before.length !== after.length) {
        current.innerHTML = fresh.innerHTML;
        return;
      }
      for (var i = 0; i < after.length; i++) {
        if (before[i].innerHTML !== after[i].innerHTML) before[i].innerHTML = after[i].innerHTML;
      }
    }
  }

  function update(data) {
    showAlertWarning(data.alert_warning);
    link.textContent = data.header;
    link.classList.toggle("has-urgent", data.urgent > 0);
    if (unsignedLink && data.unsigned_header) {
      // A clinician's list: urgent submissions waiting for a clinician's sign-off.
      unsignedLink.textContent = data.unsigned_header;
      unsignedLink.classList.toggle("has-urgent", data.unsigned_urgent > 0);
    }
    if (!box) return;
    if (!data.stale || !data.message) {
      // Withdraw an arrival said before; leave anything else said (the alerts going out again).
      if (shownMessage) say("", false);
      shownMessage = "";
      showButton.hidden = true;
      box.classList.remove("notice", "warning", "danger");
      return;
    }
    if (data.message === shownMessage) return; // said already: never repeat it every poll
    shownMessage = data.message;
    // An urgent arrival is an alert; anything else waits politely for a pause.
    var newUrgent = data.new_urgent > announcedUrgent;
    announcedUrgent = Math.max(announcedUrgent, data.new_urgent);
    say(data.message + ".", newUrgent);
    showButton.textContent = data.action;
    showButton.hidden = false;
    box.classList.add("notice");
    box.classList.toggle("danger", data.new_urgent > 0);
    box.classList.toggle("warning", !(data.new_urgent > 0));
  }

  function poll() {
    if (busy || stopped) return;
    busy = true;
    lastPoll = Date.now();
    window
      .fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        busy = false;
        if (response.status === 401 || response.status === 403) {
          stop();
          return null;
        }
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (data === null) return;
        failures = 0;
        update(data);
        schedule();
      })
      .catch(function () {
        busy = false;
        failures += 1;
        schedule();
      });
  }

  document.addEventListener("visibilitychange", function () {
    // Back on the tab after a slow hidden wait: ask now rather than at the hidden pace.
    if (!stopped && !document.hidden && Date.now() - lastPoll > seconds * 1000) {
      window.clearTimeout(timer);
      poll();
    }
  });

  lastPoll = Date.now();
  schedule();
})();
