// Live subdomain check for the signup form (no framework): debounced fetch of the JSON endpoint.
// The server checks again on submit; this only saves the user a round trip through the whole form.
(function () {
  "use strict";
  var script = document.getElementById("signup-script");
  var form = document.getElementById("signup-form");
  var input = document.getElementById("id_slug");
  var status = document.getElementById("slug-status");
  if (!script || !form || !input || !status) return;
  var checkUrl = script.getAttribute("data-check-url");
  var timer = null;
  var latest = 0;

  function show(state, message) {
    status.textContent = message;
    status.className = "slug-status " + state;
    status.setAttribute("data-state", state);
    input.setAttribute("aria-invalid", state === "unavailable" ? "true" : "false");
  }

  function check() {
    var value = input.value.trim().toLowerCase();
    if (!value) { show("", ""); return; }
    var request = ++latest;
    show("checking", "…");
    fetch(checkUrl + "?slug=" + encodeURIComponent(value), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (request !== latest) return; // an older answer arriving late must not overwrite a newer one
        show(data.available ? "available" : "unavailable", data.message);
      })
      .catch(function () { if (request === latest) show("", ""); });
  }

  var serverErrors = document.getElementById("slug-errors");
  input.addEventListener("input", function () {
    if (serverErrors) serverErrors.hidden = true; // the submit's verdict is about the old value
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });
  // A re-rendered form already says what is wrong with the subdomain; otherwise check what was typed.
  if (input.value && !(serverErrors && serverErrors.querySelector(".errorlist"))) check();

  // One click, one signup: the server also turns a repeated submit into the same result.
  form.addEventListener("submit", function (event) {
    if (form.getAttribute("data-submitting")) { event.preventDefault(); return; }
    form.setAttribute("data-submitting", "1");
    document.getElementById("signup-submit").disabled = true;
    var wait = document.getElementById("signup-wait");
    if (wait) wait.hidden = false;
  });
  // Back from the tenant host (bfcache): the form is usable again.
  window.addEventListener("pageshow", function () {
    form.removeAttribute("data-submitting");
    document.getElementById("signup-submit").disabled = false;
    var wait = document.getElementById("signup-wait");
    if (wait) wait.hidden = true;
  });
})();
