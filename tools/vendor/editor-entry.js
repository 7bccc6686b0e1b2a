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

import {EditorState, Compartment, Prec} from "@codemirror/state";
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
  HighlightStyle,
} from "@codemirror/language";
import {tags} from "@lezer/highlight";
import {search, searchKeymap, highlightSelectionMatches} from "@codemirror/search";
import {python} from "@codemirror/lang-python";
import {oneDarkTheme} from "@codemirror/theme-one-dark";

const INDENT = "    ";
const mounted = new WeakMap(); // textarea -> handle

// Keyboard: Tab and Shift-Tab are NOT bound, so they move focus in and out of the
// editor like any other control (no keyboard trap; WCAG 2.1.2).  Enter keeps the
// indentation, Ctrl-] / Ctrl-[ (Cmd on macOS) indent and dedent the current lines:
// CodeMirror's own defaultKeymap bindings, as its docs recommend.  The page says so.

// Colours: every token at least 4.5:1 against the editor's background and its
// active-line background, in both themes (WCAG 1.4.3).  The light one is
// CodeMirror's defaultHighlightStyle with its three low-contrast colours darkened;
// the dark one is One Dark's with coral, violet and the comment grey lightened
// (One Dark's own are 4.09:1, 4.44:1 and 3.61:1 on its active line).
const lightHighlight = HighlightStyle.define([
  {tag: tags.meta, color: "#404740"},
  {tag: tags.link, textDecoration: "underline"},
  {tag: tags.heading, textDecoration: "underline", fontWeight: "bold"},
  {tag: tags.emphasis, fontStyle: "italic"},
  {tag: tags.strong, fontWeight: "bold"},
  {tag: tags.strikethrough, textDecoration: "line-through"},
  {tag: tags.keyword, color: "#708"},
  {tag: [tags.atom, tags.bool, tags.url, tags.contentSeparator, tags.labelName], color: "#219"},
  {tag: [tags.literal, tags.inserted], color: "#164"},
  {tag: [tags.string, tags.deleted], color: "#a11"},
  {tag: [tags.regexp, tags.escape, tags.special(tags.string)], color: "#a33000"},
  {tag: tags.definition(tags.variableName), color: "#00f"},
  {tag: tags.local(tags.variableName), color: "#30a"},
  {tag: [tags.typeName, tags.namespace], color: "#006640"},
  {tag: tags.className, color: "#167"},
  {tag: [tags.special(tags.variableName), tags.macroName], color: "#256"},
  {tag: tags.definition(tags.propertyName), color: "#00c"},
  {tag: tags.comment, color: "#940"},
  {tag: tags.invalid, color: "#b00000"},
]);

const dark = {
  chalky: "#e5c07b", coral: "#f08d96", cyan: "#56b6c2", invalid: "#ffffff",
  ivory: "#abb2bf", stone: "#a3abba", malibu: "#61afef", sage: "#98c379",
  whiskey: "#d19a66", violet: "#d68fe9",
};
const darkHighlight = HighlightStyle.define([
  {tag: tags.keyword, color: dark.violet},
  {tag: [tags.name, tags.deleted, tags.character, tags.propertyName, tags.macroName],
    color: dark.coral},
  {tag: [tags.function(tags.variableName), tags.labelName], color: dark.malibu},
  {tag: [tags.color, tags.constant(tags.name), tags.standard(tags.name)], color: dark.whiskey},
  {tag: [tags.definition(tags.name), tags.separator], color: dark.ivory},
  {tag: [tags.typeName, tags.className, tags.number, tags.changed, tags.annotation,
    tags.modifier, tags.self, tags.namespace], color: dark.chalky},
  {tag: [tags.operator, tags.operatorKeyword, tags.url, tags.escape, tags.regexp, tags.link,
    tags.special(tags.string)], color: dark.cyan},
  {tag: [tags.meta, tags.comment], color: dark.stone},
  {tag: tags.strong, fontWeight: "bold"},
  {tag: tags.emphasis, fontStyle: "italic"},
  {tag: tags.strikethrough, textDecoration: "line-through"},
  {tag: tags.link, color: dark.stone, textDecoration: "underline"},
  {tag: tags.heading, fontWeight: "bold", color: dark.coral},
  {tag: [tags.atom, tags.bool, tags.special(tags.variableName)], color: dark.whiskey},
  {tag: [tags.processingInstruction, tags.string, tags.inserted], color: dark.sage},
  {tag: tags.invalid, color: dark.invalid},
]);
const darkGutters = EditorView.theme({".cm-gutters": {color: dark.stone}}, {dark: true});
const lightTheme = [syntaxHighlighting(lightHighlight)];
// Earlier extensions take precedence: the lighter gutter colour goes before One Dark.
const darkTheme = [darkGutters, oneDarkTheme, syntaxHighlighting(darkHighlight)];

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
  const themeFor = (isDarkNow) => (isDarkNow ? darkTheme : lightTheme);

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
      {key: "Mod-]", run: indentMore},
      {key: "Mod-[", run: indentLess},
    ]),
    python(),
    baseTheme,
    themeCompartment.of(themeFor(isDark())),
    // tabindex: axe-core counts a contenteditable as focusable only with one, and the
    // scrolling region around it must hold focusable content (scrollable-region-focusable).
    EditorView.contentAttributes.of({"aria-label": labelFor(textarea), tabindex: "0"}),
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
