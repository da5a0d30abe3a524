-- Default configuration of the pmlint language server for Neovim 0.11+
-- (see `:help lsp-config`). With editors/neovim on 'runtimepath',
--
--   vim.lsp.enable("pmlint")
--
-- is enough; require("pmlint").setup({...}) layers your options on top of this.
return {
  cmd = { "pmlint", "lsp" },
  filetypes = { "markdown", "text" },
  root_markers = { "pmlint.toml", ".pmlint.toml", ".git" },
  -- Neovim's filetype for plain text is "text"; the server expects "plaintext".
  get_language_id = function(_, filetype)
    return filetype == "text" and "plaintext" or filetype
  end,
  capabilities = {
    textDocument = {
      codeAction = { isPreferredSupport = true },
      publishDiagnostics = { dataSupport = true },
    },
  },
}
