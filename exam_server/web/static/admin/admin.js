/* Administration pages: small enhancements; every page works without this file.
 *
 * - forms marked data-progress upload with XMLHttpRequest and show a progress bar;
 * - forms marked data-confirm ask before they are sent.
 */
(function () {
  "use strict";

  function sameUrl(a, b) {
    return new URL(a, window.location.href).href === new URL(b, window.location.href).href;
  }

  function showResponse(xhr) {
    // An answer that was not a redirect (a refusal): show its content in place.
    var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var incoming = doc.querySelector("main");
    var current = document.querySelector("main");
    if (incoming && current) {
      current.replaceWith(document.importNode(incoming, true));
      document.title = doc.title;
    }
  }

  function upload(form) {
    var box = form.querySelector(".progress");
    var bar = box && box.querySelector("progress");
    var label = box && box.querySelector(".progress-label");
    var buttons = form.querySelectorAll("button");
    var xhr = new XMLHttpRequest();

    function setBusy(busy) {
      buttons.forEach(function (button) { button.disabled = busy; });
    }

    if (box) { box.hidden = false; }
    setBusy(true);
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable && bar) {
        bar.max = event.total;
        bar.value = event.loaded;
        label.textContent = Math.round((100 * event.loaded) / event.total) + "%";
      }
    });
    xhr.upload.addEventListener("load", function () {
      if (bar) { bar.removeAttribute("value"); }
      if (label) { label.textContent = form.dataset.checking || ""; }
    });
    xhr.addEventListener("load", function () {
      if (xhr.responseURL && !sameUrl(xhr.responseURL, form.action)) {
        window.location.assign(xhr.responseURL);
      } else {
        showResponse(xhr);
      }
    });
    xhr.addEventListener("error", function () {
      setBusy(false);
      if (label) { label.textContent = form.dataset.failed || "upload failed"; }
    });
    xhr.send(new FormData(form));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute("data-progress") && window.FormData && window.XMLHttpRequest) {
      event.preventDefault();
      upload(form);
    }
  });
}());
