"""One screen per file: the case list, the case editor, history, reviews, export, dialogs."""
