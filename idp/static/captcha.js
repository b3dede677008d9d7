// Optional nicety: renew the captcha or switch to its sound without reloading the page.
// Without this script the links reload the page with a new challenge.
(function () {
  "use strict";
  function csrfToken(form) {
    var input = form.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }
  function renew(block, withAudio) {
    var form = block.closest("form");
    var body = new URLSearchParams({ csrf_token: csrfToken(form), audio: withAudio ? "1" : "0" });
    return fetch(block.dataset.newUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(form) },
      body: body
    }).then(function (response) {
      if (!response.ok) { throw new Error("captcha " + response.status); }
      return response.json();
    }).then(function (data) {
      block.querySelector("[data-captcha-ref]").value = data.ref;
      block.querySelector("[data-captcha-image]").src = data.image_url;
      var audioBox = block.querySelector("[data-captcha-audio]");
      var audio = audioBox.querySelector("audio");
      if (data.audio_url) {
        audio.src = data.audio_url;
        audioBox.hidden = false;
        audio.play().catch(function () { /* the user can press play */ });
      } else {
        audio.removeAttribute("src");
        audioBox.hidden = true;
      }
      block.querySelector("[data-captcha-status]").textContent = data.announcement;
      var answer = form.querySelector('input[name="captcha_answer"]');
      if (answer) { answer.value = ""; }
    });
  }
  document.querySelectorAll("[data-captcha]").forEach(function (block) {
    var newLink = block.querySelector("[data-captcha-new]");
    var listenLink = block.querySelector("[data-captcha-listen]");
    if (newLink) {
      newLink.addEventListener("click", function (event) {
        event.preventDefault();
        renew(block, false).catch(function () { window.location = newLink.href; });
      });
    }
    if (listenLink) {
      listenLink.addEventListener("click", function (event) {
        event.preventDefault();
        renew(block, true).catch(function () { window.location = listenLink.href; });
      });
    }
  });
})();
