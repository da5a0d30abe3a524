-- pmlint: blameless-postmortem linter, Neovim client for `pmlint lsp`.
--
--   require("pmlint").setup({
--     cmd = { "pmlint", "lsp" },            -- server command
--     filetypes = { "markdown", "text" },   -- Neovim filetypes to attach to
--     settings = { minSeverity = "warning" }, -- the "pmlint" settings object
--     on_attach = function(client, bufnr) end,
--   })
--
-- Works on Neovim 0.7+: on 0.11+ it uses vim.lsp.config()/vim.lsp.enable(); on older
-- versions a FileType autocmd calls vim.lsp.start_client()/vim.lsp.buf_attach_client().
local M = {}

M.name = "pmlint"

local uv = vim.uv or vim.loop

local defaults = {
  cmd = { "pmlint", "lsp" },
  filetypes = { "markdown", "text" },
  root_markers = { "pmlint.toml", ".pmlint.toml", ".git" },
  settings = {},
  -- Anything else accepted by vim.lsp.start_client()/vim.lsp.config() is passed
  -- through: init_options (defaults to the settings object), capabilities (merged
  -- over Neovim's defaults), handlers, on_init, on_exit, flags, ...
  --
  -- api: "auto" (default), "config" (vim.lsp.config + vim.lsp.enable, 0.11+) or
  -- "legacy" (FileType autocmd + vim.lsp.start_client, any version; mainly for tests).
  api = "auto",
}

--- Neovim calls plain-text buffers "text"; the LSP language id is "plaintext".
function M.language_id(_, filetype)
  if filetype == "text" then
    return "plaintext"
  end
  return filetype
end

-- An empty Lua table is sent as a JSON array ([]); the server expects objects.
local function object(t)
  if type(t) == "table" and next(t) == nil then
    return vim.empty_dict()
  end
  return t
end

--- Accept either the bare settings object ({ minSeverity = ... }) or one already
--- wrapped in its section ({ pmlint = { minSeverity = ... } }).
--- Returns the LSP `settings` table (section-wrapped) and the bare object.
local function split_settings(settings)
  settings = settings or {}
  if type(settings) ~= "table" then
    error("pmlint.setup: settings must be a table", 3)
  end
  local wrapped = {}
  local bare = settings
  if type(settings.pmlint) == "table" then
    wrapped = vim.tbl_extend("force", {}, settings) -- keep any other sections
    bare = settings.pmlint
  end
  bare = vim.tbl_extend("force", {}, bare)
  if bare.rules ~= nil then
    bare.rules = object(bare.rules)
  end
  bare = object(bare)
  wrapped.pmlint = bare
  return wrapped, bare
end

--- Neovim's default client capabilities plus what pmlint's quick fixes rely on.
--- (0.7 advertises neither isPreferredSupport nor publishDiagnostics.dataSupport,
--- although it keeps and returns diagnostic `data`.)
function M.capabilities(extra)
  local caps = vim.lsp.protocol.make_client_capabilities()
  caps = vim.tbl_deep_extend("force", caps, {
    textDocument = {
      codeAction = { isPreferredSupport = true },
      publishDiagnostics = { dataSupport = true },
    },
  })
  if extra then
    caps = vim.tbl_deep_extend("force", caps, extra)
  end
  return caps
end

local function has(feature)
  return vim.fn.has(feature) == 1
end

--- Nearest ancestor directory of `fname` containing one of `markers`, or nil.
function M.find_root(fname, markers)
  local dir = vim.fn.fnamemodify(fname, ":p:h")
  while dir and dir ~= "" do
    for _, marker in ipairs(markers) do
      if uv.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      return nil
    end
    dir = parent
  end
  return nil
end

local function build(opts)
  opts = opts or {}
  if type(opts) ~= "table" then
    error("pmlint.setup: expected a table of options", 3)
  end
  local cfg = vim.tbl_extend("force", {}, defaults, opts)
  if type(cfg.cmd) ~= "table" or #cfg.cmd == 0 then
    error("pmlint.setup: cmd must be a non-empty list such as { 'pmlint', 'lsp' }", 3)
  end
  if type(cfg.filetypes) ~= "table" then
    error("pmlint.setup: filetypes must be a list", 3)
  end
  local settings, bare = split_settings(cfg.settings)
  cfg.settings = settings
  if cfg.init_options == nil then
    cfg.init_options = bare
  else
    cfg.init_options = object(cfg.init_options)
  end
  cfg.capabilities = M.capabilities(cfg.capabilities)
  return cfg
end

-- Keys handed to the client unchanged (everything else in opts is ours).
local passthrough = {
  "handlers",
  "on_attach",
  "on_init",
  "on_exit",
  "on_error",
  "before_init",
  "flags",
  "trace",
  "commands",
  "offset_encoding",
  "cmd_cwd",
  "cmd_env",
}

---------------------------------------------------------------- 0.11+: vim.lsp.config
local function setup_config(cfg)
  local conf = {
    cmd = cfg.cmd,
    filetypes = cfg.filetypes,
    root_markers = cfg.root_markers,
    settings = cfg.settings,
    init_options = cfg.init_options,
    capabilities = cfg.capabilities,
    get_language_id = M.language_id,
  }
  for _, k in ipairs(passthrough) do
    conf[k] = cfg[k]
  end
  vim.lsp.config(M.name, conf)
  vim.lsp.enable(M.name)
end

---------------------------------------------------- 0.7-0.10: start_client + attach
local clients = {} -- root_dir -> client id

local function client_config(cfg, root)
  local conf = {
    name = M.name,
    cmd = cfg.cmd,
    root_dir = root,
    settings = cfg.settings,
    init_options = cfg.init_options,
    capabilities = cfg.capabilities,
    get_language_id = M.language_id,
  }
  for _, k in ipairs(passthrough) do
    conf[k] = cfg[k]
  end
  conf.on_init = function(client, result)
    -- Neovim < 0.10 does not push `settings` by itself after initialize.
    if not has("nvim-0.10") then
      client.notify("workspace/didChangeConfiguration", { settings = cfg.settings })
    end
    if cfg.on_init then
      return cfg.on_init(client, result)
    end
  end
  conf.on_exit = function(code, signal, client_id)
    if clients[root] == client_id then
      clients[root] = nil
    end
    if cfg.on_exit then
      return cfg.on_exit(code, signal, client_id)
    end
  end
  return conf
end

local function attach_legacy(cfg, bufnr)
  if not vim.api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].buftype ~= "" then
    return
  end
  local fname = vim.api.nvim_buf_get_name(bufnr)
  local root
  if fname == "" then
    root = uv.cwd()
  else
    root = M.find_root(fname, cfg.root_markers) or vim.fn.fnamemodify(fname, ":p:h")
  end

  local id = clients[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client:is_stopped() then
    id = vim.lsp.start_client(client_config(cfg, root))
    if not id then
      vim.notify(
        ("pmlint: could not start `%s`; is pmlint installed?"):format(table.concat(cfg.cmd, " ")),
        vim.log.levels.ERROR
      )
      return
    end
    clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

local function setup_legacy(cfg)
  local group = vim.api.nvim_create_augroup("pmlint", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = cfg.filetypes,
    desc = "Attach the pmlint language server",
    callback = function(args)
      attach_legacy(cfg, args.buf)
    end,
  })
  -- Buffers that were opened before setup() ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr)
      and vim.tbl_contains(cfg.filetypes, vim.bo[bufnr].filetype)
    then
      attach_legacy(cfg, bufnr)
    end
  end
end

--- True when vim.lsp.config()/vim.lsp.enable() (Neovim 0.11+) are available.
function M.has_lsp_config()
  return has("nvim-0.11") and vim.lsp.config ~= nil and type(vim.lsp.enable) == "function"
end

function M.setup(opts)
  local cfg = build(opts)
  local api = cfg.api or "auto"
  if api == "auto" then
    api = M.has_lsp_config() and "config" or "legacy"
  end
  if api == "config" then
    if not M.has_lsp_config() then
      error("pmlint.setup: api = 'config' needs Neovim 0.11 or newer", 2)
    end
    setup_config(cfg)
  elseif api == "legacy" then
    setup_legacy(cfg)
  else
    error("pmlint.setup: api must be 'auto', 'config' or 'legacy'", 2)
  end
  M.config = cfg
  M.api = api
  return cfg
end

return M
