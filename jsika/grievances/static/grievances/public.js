// Public grievance pages: hide identity fields when anonymous, copy the ticket code. No inline scripts (CSP).
(function () {
  "use strict";
  var anonymous = document.getElementById("id_anonymous");
  var identity = document.getElementById("identity-fields");
  if (anonymous && identity) {
    var sync = function () {
      identity.classList.toggle("identity-hidden", anonymous.checked);
      identity.querySelectorAll("input").forEach(function (input) { input.disabled = anonymous.checked; });
    };
    anonymous.addEventListener("change", sync);
    sync();
  }
  var copy = document.getElementById("copy-ticket");
  if (copy && navigator.clipboard) {
    copy.classList.remove("d-none");
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(copy.dataset.ticket).then(function () {
        copy.textContent = copy.dataset.copied;
      });
    });
  }
  // One tap sends once (slow networks invite a second tap); coming back to the page enables it again.
  var form = document.getElementById("grievance-form");
  var button = document.getElementById("submit-grievance");
  if (form && button) {
    form.addEventListener("submit", function () { button.disabled = true; });
    window.addEventListener("pageshow", function () { button.disabled = false; });
  }
})();
