// Light progressive enhancement: every page works without it.
// 1. The package editor re-evaluates on every change (the server runs `check`).
// 2. A running solve shows its elapsed time and opens its result the moment it is done.
// 3. A form that writes is sent once: its buttons are disabled while it is sent (the
//    server also refuses a round recorded from an out-of-date page, see `expect`).
"use strict";
document.documentElement.classList.add("js");

function csrf() {
  return document.querySelector('meta[name="csrf-token"]').content;
}

// A fragment's request that failed answers with a whole error page: show its words only.
function errorOf(html, heading) {
  const page = new DOMParser().parseFromString(html, "text/html");
  const found = page.querySelector(".error");
  const box = document.createElement("div");
  box.className = "error";
  box.setAttribute("role", "alert");
  if (found) box.innerHTML = found.innerHTML;
  else box.textContent = page.body ? page.body.textContent.trim() : html;
  return (heading ? `<h2 id="verdict-h">${heading}</h2>` : "") + box.outerHTML;
}

// Each limit broken beside its field, and the field marked invalid: a screen reader reads
// the words (the field's aria-describedby names its slot) when the field has the focus.
function showProblems(verdict) {
  document.querySelectorAll(".field-problems").forEach((el) => { el.textContent = ""; });
  verdict.querySelectorAll("#violations li[data-field]").forEach((li) => {
    const slot = document.querySelector(`.field-problems[data-field="${li.dataset.field}"]`);
    if (slot) slot.textContent += (slot.textContent ? " " : "") + li.textContent;
  });
  document.querySelectorAll(".field-problems[id]").forEach((slot) => {
    const field = document.querySelector(`[aria-describedby~="${slot.id}"]`);
    if (!field) return;
    if (slot.textContent) field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
  });
}

function editor(form) {
  const verdict = document.getElementById("verdict");
  let pending = null;
  let sequence = 0;
  async function evaluate() {
    const mine = ++sequence;
    const body = new FormData(form);
    body.delete("file"); // the upload's file (a field of this form) weighs in no verdict
    const response = await fetch(form.dataset.evaluate, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf(), "X-Dealbench-Fragment": "1" },
    });
    const html = await response.text();
    if (mine !== sequence) return; // a newer edit answered first
    verdict.innerHTML = response.ok ? html : errorOf(html, "Verdict");
    verdict.dataset.evaluations = String(Number(verdict.dataset.evaluations || 0) + 1);
    // One line for a screen reader (the verdict is not a live region: it read its table).
    const accepts = verdict.querySelector("#accepts");
    const said = document.getElementById("verdict-said");
    if (said) said.textContent = accepts ? accepts.textContent.trim() : "";
    showProblems(verdict);
  }
  form.addEventListener("input", () => {
    clearTimeout(pending);
    pending = setTimeout(evaluate, 120);
  });
  form.addEventListener("change", () => { clearTimeout(pending); evaluate(); });
  // Enter in a field sends the button of its own fieldset ("Sample acceptance" beside
  // Samples, "Save" beside the file name); elsewhere it evaluates in place. The browser
  // sends the form's first button, and Enter in Samples saved a package file. A button
  // that records a round (`data-records`) is sent by pressing it only: Enter in "Allow a
  // retreat" or the round's date recorded an offer or a counter, never taken back.
  form.addEventListener("keydown", (event) => {
    const field = event.target;
    if (event.key !== "Enter" || field.tagName !== "INPUT") return;
    if (["submit", "button", "reset", "file"].includes(field.type)) return;
    event.preventDefault();
    const fieldset = field.closest("fieldset");
    const own = fieldset && fieldset.querySelector('button[type="submit"]');
    if (own && !own.hasAttribute("data-records")) form.requestSubmit(own);
    else { clearTimeout(pending); evaluate(); }
  });
  showProblems(verdict);
}

function follow(progress) {
  // The elapsed time ticks here; the server answers the wait the moment the job ends.
  const elapsed = document.getElementById("elapsed");
  const since = performance.now() - 1000 * Number(elapsed.textContent);
  const tick = setInterval(() => {
    elapsed.textContent = ((performance.now() - since) / 1000).toFixed(1);
  }, 100);
  async function wait() {
    let state;
    try {
      const url = `${progress.dataset.stateUrl}?wait=10`;
      const response = await fetch(url, { credentials: "same-origin" });
      state = await response.json();
    } catch (error) {
      setTimeout(wait, 1000); // the server is restarting or the network hiccuped
      return;
    }
    const done = document.getElementById("job-progress");
    if (done && state.progress) { // a sweep says how far it is, as the CLI's bar
      done.textContent = `${state.progress.stage}: ${state.progress.done}/${state.progress.total}`;
      const bar = progress.querySelector("progress");
      bar.max = state.progress.total;
      bar.value = state.progress.done;
    }
    if (state.state === "running") wait();
    else { clearInterval(tick); window.location.reload(); }
  }
  wait();
}

async function frontier(slot) {
  const response = await fetch(slot.dataset.src, {
    credentials: "same-origin", headers: { "X-Dealbench-Fragment": "1" },
  });
  const html = await response.text();
  if (!response.ok) {
    slot.innerHTML = errorOf(html, "");
    slot.dataset.loaded = "error";
    return;
  }
  // The chart arrives above the field with the focus (a refused form's, focused where it
  // is marked): the field stays where the reader sees it, not pushed out of the window.
  const focused = document.activeElement;
  const below = focused && focused !== document.body
    && (slot.compareDocumentPosition(focused) & Node.DOCUMENT_POSITION_FOLLOWING);
  const top = below ? focused.getBoundingClientRect().top : 0;
  slot.innerHTML = html;
  if (below) window.scrollBy(0, focused.getBoundingClientRect().top - top);
  foldForPhones(slot);
  pointDetails(slot);
  slot.dataset.loaded = "1";
  const said = document.getElementById("frontier-said");
  const points = slot.querySelectorAll(".pt").length;
  const rounds = slot.querySelectorAll(".round").length;
  if (said) {
    said.textContent = `The frontier is drawn: ${points} point${points === 1 ? "" : "s"}, `
      + `${rounds} round${rounds === 1 ? "" : "s"}.`;
  }
}

// Hovering or focusing a point of a frontier chart shows its package below the chart.
function pointDetails(chart) {
  const detail = chart.querySelector("#point-detail");
  chart.querySelectorAll("[data-detail]").forEach((el) => {
    const show = () => { detail.textContent = el.dataset.detail; };
    el.addEventListener("mouseenter", show);
    el.addEventListener("focus", show);
  });
}

function buttonsOf(form) {
  return Array.from(form.elements).filter((el) => el.tagName === "BUTTON");
}

function sendOnce(form) {
  form.addEventListener("submit", (event) => {
    if (form.dataset.sending) { event.preventDefault(); return; }
    form.dataset.sending = "1";
    form.setAttribute("aria-busy", "true");
    // After this tick: the submission has taken its fields and its button already. Its
    // buttons are its elements: the editor's Upload is the package form's, outside it.
    setTimeout(() => buttonsOf(form).forEach((b) => { b.disabled = true; }));
  });
}

// A form whose button records a round (`data-records`: the negotiation page's round
// forms) is sent by pressing that button, never by Enter in one of its fields: Enter in
// the author or the date recorded an offer or a counter, never taken back. Here Enter
// records nothing and the form's status says which button records (it said nothing, and a
// keyboard user's Enter seemed lost); without script it presses the form's first, hidden
// button, whose answer says the same (negotiation.html.j2).
function recordsByButtonOnly(form) {
  const button = form.querySelector("button[data-records]");
  if (!button) return;
  form.addEventListener("keydown", (event) => {
    const field = event.target;
    if (event.key !== "Enter" || field.tagName !== "INPUT") return;
    if (["submit", "button", "reset", "file"].includes(field.type)) return;
    event.preventDefault();
    const said = button.parentElement.querySelector(".enter-said");
    if (said) said.textContent = button.dataset.enterSaid || "";
  });
}

// A file over the upload limit is refused before its form is sent: the server refuses a
// request that large unread (`pages.TooLarge`), and every field typed with it is lost.
// The field says the limit and keeps the form from being sent; the other fields stay.
function uploadLimit(input) {
  const limit = Number(input.dataset.maxBytes);
  const check = () => {
    const big = Array.from(input.files).find((file) => file.size > limit);
    input.setCustomValidity(big
      ? `${big.name} is larger than the ${limit / 1024} KiB allowed (a package file is a few KB): choose another file`
      : "");
    if (big) input.setAttribute("aria-invalid", "true"); // a refusal's mark stays as it was
  };
  input.addEventListener("change", () => { check(); input.reportValidity(); });
  check(); // a file the browser kept on Back
  // The editor's file is a field of the package's form, sent by its Upload button alone
  // (which checks no other field): checked when Upload is pressed, and never in the way of
  // the form's other buttons (Save would have said the file is too large).
  const upload = input.form && document.querySelector(`button[data-upload="${input.id}"]`);
  if (!upload) return;
  buttonsOf(input.form).forEach((button) => {
    button.addEventListener("click", (event) => {
      check();
      if (button !== upload) input.setCustomValidity("");
      else if (!input.checkValidity()) { event.preventDefault(); input.reportValidity(); }
    });
  });
}

window.addEventListener("pageshow", (event) => { // back to a page kept in the cache
  // A page of rounds is drawn again: Chrome keeps even a no-store page in its back-forward
  // cache, and Back after a round form showed the rounds as they were before it.
  if (event.persisted && document.querySelector("[data-reload-on-back]")) {
    window.location.reload();
    return;
  }
  // Any other: usable again.
  document.querySelectorAll("form[data-sending]").forEach((form) => {
    delete form.dataset.sending;
    form.removeAttribute("aria-busy");
    buttonsOf(form).forEach((b) => { b.disabled = false; });
  });
});

// At a phone's width, what a negotiator rarely needs there starts folded (the negotiation
// page was 3,600 px tall); wider, or without script, all is open. A fold holding a field
// a refusal marked stays open. The frontier's fragment, arriving later, folds its own.
function foldForPhones(root = document) {
  if (!window.matchMedia("(max-width: 40rem)").matches) return;
  root.querySelectorAll("details[data-narrow-closed]").forEach((fold) => {
    if (!fold.querySelector('[aria-invalid="true"], [autofocus]')) fold.open = false;
  });
}

document.addEventListener("DOMContentLoaded", () => {
  foldForPhones();
  document.querySelectorAll('form[method="post"]').forEach(sendOnce);
  document.querySelectorAll("form.round-form").forEach(recordsByButtonOnly);
  document.querySelectorAll('input[type="file"][data-max-bytes]').forEach(uploadLimit);
  const chart = document.getElementById("frontier");
  if (chart && chart.dataset.src) frontier(chart);
  document.querySelectorAll("figure.frontier").forEach(pointDetails); // the chart's own page
  // The editor's form, not any #package (the risk page's paragraph is one).
  const form = document.querySelector("form#package[data-evaluate]");
  if (form) editor(form);
  const progress = document.getElementById("progress");
  if (progress) follow(progress);
});
