// Rich-text fields in the page editor: the editable area gets the name of its field's label.
// Wagtail's label points at the hidden input that stores the text, so a screen reader would meet an
// unnamed text box. Fields inside StreamField blocks appear later, so new ones are named as they come.
(function () {
  "use strict";

  function labelFor(editor) {
    var wrapper = editor.closest(".w-field__wrapper");
    if (!wrapper) {
      return null;
    }
    // The label points at the hidden input that holds the text; in a block it sits in the wrapper,
    // in a field panel in the panel's header.
    var input = wrapper.querySelector("input[id], textarea[id]");
    var label = input ? document.querySelector('label[for="' + input.id + '"]') : null;
    // A field of a struct block has its label beside the wrapper; a rich-text block is named by its
    // block's heading.
    label = label || wrapper.querySelector(".w-field__label");
    label = label || (wrapper.parentElement && wrapper.parentElement.querySelector(":scope > .w-field__label"));
    if (!label) {
      var section = wrapper.closest("section[aria-labelledby]");
      label = section ? document.getElementById(section.getAttribute("aria-labelledby")) : null;
    }
    return label;
  }

  function nameEditors() {
    var editors = document.querySelectorAll('.public-DraftEditor-content[role="textbox"]');
    editors.forEach(function (editor) {
      if (editor.hasAttribute("aria-labelledby") || editor.hasAttribute("aria-label")) {
        return;
      }
      var label = labelFor(editor);
      if (!label) {
        return;
      }
      if (!label.id) {
        label.id = "rich-text-label-" + Math.random().toString(36).slice(2, 10);
      }
      editor.setAttribute("aria-labelledby", label.id);
    });
  }

  var pending = false;
  function soon() {
    if (pending) {
      return;
    }
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      nameEditors();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    nameEditors();
    new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
  });
})();
