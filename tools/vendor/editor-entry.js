// Entry module for the vendored code editor (bundled by build.sh into
// src/deepcareer/web/static/vendor/editor.js as an IIFE).
//
// Exposes:
//
//   window.DeepcareerEditor.mount(textarea, options) -> handle
//
// The <textarea> is hidden (but stays in its form) and a CodeMirror 6 editor
// for Python is mounted right after it.  Every change is written back to
// textarea.value and an "input" event is dispatched on the textarea, so a
// normal form submit, or an htmx request that includes the textarea, sends the
// current code.
//
// options (all optional):
//   keys       {"Mod-Enter": fn, "Mod-Shift-h": fn, ...}  CodeMirror key names
//              ("Mod" = Ctrl on Linux/Windows, Cmd on macOS).  fn(handle) is
//              called; return false from it to let the key fall through.
//              These take precedence over the built-in bindings.
//   nonce      a CSP nonce.  When given, the editor lives in the normal DOM and
//              CodeMirror's runtime <style> element carries this nonce, so the
//              page CSP must allow  style-src 'self' 'nonce-<nonce>'.
//              When NOT given (the default) the editor is mounted inside an
//              (open) shadow root, where CodeMirror installs its styles as
//              constructed stylesheets (adoptedStyleSheets), which a
//              style-src 'self' policy does not block -- no nonce needed.
//   dark       true | false | "auto" (default "auto": follows
//              prefers-color-scheme, live).
//   readOnly   boolean (default: textarea.readOnly).
//   minHeight  CSS length for the editing area (default "12em").
//   autofocus  boolean (default false).
//
// handle: { view, textarea, getValue(), setValue(text), focus(), destroy() }
//
// No eval / new Function, no inline style attributes written via markup.

import {EditorState, Compartment, Prec, EditorSelection} from "@codemirror/state";
import {
  EditorView,
  keymap,
  lineNumbers,
  highlightActiveLineGutter,
  highlightSpecialChars,
  drawSelection,
  dropCursor,
  highlightActiveLine,
} from "@codemirror/view";
import {defaultKeymap, history, historyKeymap, indentMore, indentLess} from "@codemirror/commands";
import {
  indentUnit,
  indentOnInput,
  bracketMatching,
  syntaxHighlighting,
  defaultHighlightStyle,
} from "@codemirror/language";
import {search, searchKeymap, highlightSelectionMatches} from "@codemirror/search";
import {python} from "@codemirror/lang-python";
import {oneDark} from "@codemirror/theme-one-dark";

const INDENT = "    ";
const mounted = new WeakMap(); // textarea -> handle

// Tab: with an empty selection insert spaces up to the next multiple of 4
// columns; with a selection indent the selected lines.  Shift-Tab dedents.
function tabIndent(view) {
  const {state} = view;
  if (state.readOnly) return false;
  if (state.selection.ranges.some((r) => !r.empty)) return indentMore(view);
  const changes = state.changeByRange((range) => {
    const line = state.doc.lineAt(range.head);
    const col = range.head - line.from;
    const insert = " ".repeat(INDENT.length - (col % INDENT.length));
    return {
      changes: {from: range.head, insert},
      range: EditorSelection.cursor(range.head + insert.length),
    };
  });
  view.dispatch(state.update(changes, {scrollIntoView: true, userEvent: "input"}));
  return true;
}

function darkMatcher() {
  return typeof window.matchMedia === "function"
    ? window.matchMedia("(prefers-color-scheme: dark)")
    : null;
}

function labelFor(textarea) {
  if (textarea.getAttribute("aria-label")) return textarea.getAttribute("aria-label");
  if (textarea.labels && textarea.labels.length) return textarea.labels[0].textContent.trim();
  return "Code editor";
}

function mount(textarea, options) {
  if (!(textarea instanceof HTMLTextAreaElement)) {
    throw new TypeError("DeepcareerEditor.mount: expected a <textarea> element");
  }
  if (mounted.has(textarea)) return mounted.get(textarea);
  const opts = options || {};
  const nonce = opts.nonce || "";
  const keys = opts.keys || {};
  const darkOpt = opts.dark === undefined ? "auto" : opts.dark;
  const readOnly = opts.readOnly === undefined ? textarea.readOnly : !!opts.readOnly;
  const minHeight = opts.minHeight || "12em";

  // Host element after the textarea.  In the default (no nonce) mode the editor
  // lives in a shadow root so CodeMirror uses adoptedStyleSheets, not <style>.
  const host = document.createElement("div");
  host.className = "deepcareer-editor";
  textarea.insertAdjacentElement("afterend", host);
  let root = document;
  let parent = host;
  if (!nonce && typeof host.attachShadow === "function") {
    root = host.attachShadow({mode: "open"});
    parent = document.createElement("div");
    root.appendChild(parent);
  }

  let handle; // assigned below; key callbacks receive it
  const userKeys = Object.keys(keys).map((key) => ({
    key,
    preventDefault: true,
    run: () => keys[key](handle) !== false,
  }));

  const themeCompartment = new Compartment();
  const mq = darkOpt === "auto" ? darkMatcher() : null;
  const isDark = () => (darkOpt === "auto" ? !!(mq && mq.matches) : !!darkOpt);
  const themeFor = (dark) => (dark ? oneDark : []);

  const syncToTextarea = EditorView.updateListener.of((update) => {
    if (!update.docChanged) return;
    textarea.value = update.state.doc.toString();
    textarea.dispatchEvent(new Event("input", {bubbles: true}));
  });

  const baseTheme = EditorView.theme({
    "&": {height: "100%"},
    ".cm-scroller": {
      overflow: "auto",
      fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace",
      lineHeight: "1.5",
    },
    ".cm-content, .cm-gutter": {minHeight},
  });

  const extensions = [
    Prec.highest(keymap.of(userKeys)),
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    drawSelection(),
    dropCursor(),
    EditorState.allowMultipleSelections.of(true),
    indentOnInput(),
    syntaxHighlighting(defaultHighlightStyle, {fallback: true}),
    bracketMatching(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    search({top: true}),
    indentUnit.of(INDENT),
    EditorState.tabSize.of(4),
    keymap.of([
      ...searchKeymap,
      ...historyKeymap,
      ...defaultKeymap,
      {key: "Tab", run: tabIndent, shift: indentLess},
    ]),
    python(),
    baseTheme,
    themeCompartment.of(themeFor(isDark())),
    EditorView.contentAttributes.of({"aria-label": labelFor(textarea)}),
    EditorState.readOnly.of(readOnly),
    syncToTextarea,
  ];
  if (nonce) extensions.push(EditorView.cspNonce.of(nonce));

  const view = new EditorView({
    state: EditorState.create({doc: textarea.value, extensions}),
    parent,
    root,
  });

  // Hide the textarea (CSSOM + the hidden attribute: neither is blocked by CSP).
  const prevHidden = textarea.hidden;
  const prevDisplay = textarea.style.display;
  textarea.hidden = true;
  textarea.style.display = "none";

  const onScheme = () => view.dispatch({effects: themeCompartment.reconfigure(themeFor(isDark()))});
  if (mq) {
    if (mq.addEventListener) mq.addEventListener("change", onScheme);
    else if (mq.addListener) mq.addListener(onScheme);
  }

  const setValue = (text) => {
    view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: String(text)}});
  };
  // A form reset restores the textarea's default value: mirror it.
  const form = textarea.form;
  const onReset = () => setTimeout(() => setValue(textarea.value), 0);
  if (form) form.addEventListener("reset", onReset);

  handle = {
    view,
    textarea,
    getValue: () => view.state.doc.toString(),
    setValue,
    focus: () => view.focus(),
    destroy() {
      if (mq) {
        if (mq.removeEventListener) mq.removeEventListener("change", onScheme);
        else if (mq.removeListener) mq.removeListener(onScheme);
      }
      if (form) form.removeEventListener("reset", onReset);
      textarea.value = view.state.doc.toString();
      view.destroy();
      host.remove();
      textarea.hidden = prevHidden;
      textarea.style.display = prevDisplay;
      mounted.delete(textarea);
    },
  };
  mounted.set(textarea, handle);
  if (opts.autofocus) view.focus();
  return handle;
}

window.DeepcareerEditor = {mount, version: "1"};
