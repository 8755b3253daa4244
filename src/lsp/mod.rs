//! `devguide lsp`: the guides inside the editor, over the Language Server Protocol.
