-- Headless Neovim end-to-end test of `pmlint lsp` through editors/neovim.
--
-- Run via tests/e2e/nvim/run.sh, or by hand from the repository root:
--   nvim --headless -u NONE -i NONE -n --cmd 'set rtp^=editors/neovim' \
--        -c 'luafile tests/e2e/nvim/test.lua' </dev/null
--
-- Environment: PMLINT_BIN (server binary; default target/debug/pmlint, relative paths
-- are relative to the repository root), PMLINT_E2E_WAIT_MS (per-step wait, default
-- 20000), PMLINT_NVIM_API ("auto" | "config" | "legacy", passed to setup()),
-- PMLINT_E2E_VERBOSE=1 (debug-level LSP log, printed on failure).
--
-- Exits 0 when every check passed; non-zero (via :cquit) with a FAIL message otherwise.

local uv = vim.uv or vim.loop

local RULE = "hindsight-obvious"
local WAIT_MS = tonumber(os.getenv("PMLINT_E2E_WAIT_MS") or "") or 20000
-- Hand-computed for "The café 🚀 team said it was obviously a mistake.":
-- the prefix "The café 🚀 team said it was " is 28 code points; é is 2 UTF-8 bytes /
-- 1 UTF-16 unit, 🚀 is 4 UTF-8 bytes / 2 UTF-16 units.
local LINE4_UTF16 = 29
local LINE4_BYTE = 32 -- what Neovim stores in diagnostic.col
local LINE4_UTF32 = 28
local OBVIOUSLY_LEN = 9
local LINE2_AFTER_FIX = "The deploy broke the cache."
local LINE4_AFTER_FIX = "The café 🚀 team said it was a mistake."

local function out(msg)
  io.stdout:write(msg .. "\n")
  io.stdout:flush()
end
local function errw(msg)
  io.stderr:write(msg .. "\n")
  io.stderr:flush()
end

local script = debug.getinfo(1, "S").source:gsub("^@", "")
local repo = vim.fn.fnamemodify(script, ":p:h:h:h:h")
local bin = os.getenv("PMLINT_BIN")
if bin == nil or bin == "" then
  bin = "target/debug/pmlint"
end
if bin:sub(1, 1) ~= "/" then
  bin = repo .. "/" .. bin
end
local fixture = repo .. "/tests/e2e/fixture.md"

local checks = 0
local tmpdir
local state = { raw = {}, attached = nil, exited = nil }

local function ok(desc)
  checks = checks + 1
  out(("ok %d - %s"):format(checks, desc))
end

local function fail(msg)
  error({ pmlint_fail = msg }, 0)
end

local function check(cond, desc, detail)
  if not cond then
    fail(desc .. (detail and ("\n    " .. detail) or ""))
  end
  ok(desc)
end

local function eq(actual, expected, desc)
  if not vim.deep_equal(actual, expected) then
    fail(("%s\n    expected: %s\n    actual:   %s"):format(desc, vim.inspect(expected), vim.inspect(actual)))
  end
  ok(desc)
end

local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients

local function utf16_index(line, byte_col)
  if vim.fn.has("nvim-0.11") == 1 then
    return vim.str_utfindex(line, "utf-16", byte_col)
  end
  local _, u16 = vim.str_utfindex(line, byte_col)
  return u16
end

local function wait_for(desc, cond)
  local done = vim.wait(WAIT_MS, function()
    return state.exited ~= nil or cond()
  end, 50)
  if cond() then
    return
  end
  if state.exited then
    fail(("the server exited (code %s, signal %s) while waiting for %s"):format(
      tostring(state.exited.code), tostring(state.exited.signal), desc))
  end
  if not done then
    fail(("timed out after %d ms waiting for %s"):format(WAIT_MS, desc))
  end
end

local function buf_line(bufnr, n)
  return vim.api.nvim_buf_get_lines(bufnr, n, n + 1, true)[1]
end

local function rule_diags(bufnr, lnum)
  local res = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code == RULE and (lnum == nil or d.lnum == lnum) then
      table.insert(res, d)
    end
  end
  return res
end

-- Latest raw (LSP-encoded) diagnostic for RULE on `line`, from the captured
-- textDocument/publishDiagnostics notifications for `uri`.
local function raw_diag(uri, line)
  for i = #state.raw, 1, -1 do
    local p = state.raw[i]
    if p.uri == uri then
      for _, d in ipairs(p.diagnostics) do
        if d.code == RULE and d.range.start.line == line then
          return d, p
        end
      end
      return nil, p
    end
  end
  return nil, nil
end

local function request(bufnr, method, params, desc)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, WAIT_MS)
  if not responses then
    fail(("%s: no response to %s (%s)"):format(desc, method, tostring(err)))
  end
  local resp = responses[state.attached.client_id]
  if not resp then
    fail(("%s: the pmlint client did not answer %s"):format(desc, method))
  end
  if resp.err or resp.error then
    fail(("%s: %s failed: %s"):format(desc, method, vim.inspect(resp.err or resp.error)))
  end
  return resp.result
end

local function code_actions(bufnr, uri, d, line)
  local result = request(bufnr, "textDocument/codeAction", {
    textDocument = { uri = uri },
    range = d.range,
    context = { diagnostics = { d } },
  }, "code actions for line " .. line)
  check(type(result) == "table" and #result > 0, ("codeAction on line %d returned actions"):format(line),
    vim.inspect(result))
  return result
end

local function pick_fix(bufnr, actions, line, require_preferred)
  local fix, fallback
  for _, a in ipairs(actions) do
    local is_quickfix = type(a.command) ~= "string" and type(a.kind) == "string"
      and (a.kind == "quickfix" or a.kind:sub(1, 9) == "quickfix.")
    if is_quickfix then
      if a.isPreferred == true and not fix then
        fix = a
      end
      local title = (a.title or ""):lower()
      if not fallback and not title:match("^disable") and not title:match("^allow") then
        fallback = a
      end
    end
  end
  if require_preferred then
    check(fix ~= nil, ("a preferred quickfix exists for line %d"):format(line), vim.inspect(actions))
  else
    fix = fix or fallback
    check(fix ~= nil, ("a quickfix exists for line %d"):format(line), vim.inspect(actions))
  end
  if not fix.edit then
    fix = request(bufnr, "codeAction/resolve", fix, "resolving the fix")
    check(type(fix) == "table" and fix.edit ~= nil, "codeAction/resolve returned an edit", vim.inspect(fix))
  end
  return fix
end

local function apply(fix, client)
  -- Neovim 0.7+ takes the position encoding as 2nd argument (0.6 had no such parameter;
  -- an extra argument is harmless there). Use the negotiated one: Neovim 0.10+ offers
  -- utf-8, so the server may have picked it.
  vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding or "utf-16")
end

local function log_tail()
  local ok_, log = pcall(require, "vim.lsp.log")
  if not ok_ then
    return
  end
  local path = log.get_filename()
  local lines = vim.fn.filereadable(path) == 1 and vim.fn.readfile(path) or {}
  if #lines > 0 then
    errw("  --- LSP log (" .. path .. ", last 40 lines) ---")
    for i = math.max(1, #lines - 39), #lines do
      errw("  " .. lines[i]:sub(1, 400))
    end
  end
end

local function nvim_version()
  local v = vim.version()
  return ("%d.%d.%d"):format(v.major, v.minor, v.patch)
end

local function finish(code, msg)
  if msg then
    errw("\nFAIL: " .. msg)
    errw(("  (Neovim %s, server %s, %d checks passed before the failure)"):format(nvim_version(), bin, checks))
    log_tail()
  end
  for _, c in ipairs(get_clients()) do
    vim.lsp.stop_client(c.id)
  end
  vim.wait(3000, function()
    return #get_clients() == 0
  end, 50)
  if tmpdir then
    vim.fn.delete(tmpdir, "rf")
  end
  if code == 0 then
    vim.cmd("qall!")
  else
    vim.cmd("cquit")
  end
end

local function main()
  out(("# pmlint LSP e2e (Neovim %s) — server: %s"):format(nvim_version(), bin))
  if os.getenv("PMLINT_E2E_VERBOSE") then
    require("vim.lsp.log").set_level("debug")
  end

  if vim.fn.executable(bin) ~= 1 then
    fail(("pmlint binary not found or not executable at %s\n  build it first (cargo build) or point PMLINT_BIN at it"):format(bin))
  end
  ok("server binary is executable: " .. bin)
  check(vim.fn.filereadable(fixture) == 1, "fixture exists: " .. fixture)

  tmpdir = vim.fn.tempname()
  vim.fn.mkdir(tmpdir, "p")
  local path = tmpdir .. "/fixture.md"
  vim.fn.writefile(vim.fn.readfile(fixture, "b"), path, "b")

  local pmlint = require("pmlint")
  pmlint.setup({
    cmd = { bin, "lsp" },
    -- rules = {} on purpose: the plugin must send it as a JSON object, not [].
    settings = { enable = true, minSeverity = "info", rules = {}, allowedNames = {}, debounceMs = 50 },
    api = os.getenv("PMLINT_NVIM_API") or "auto",
    handlers = {
      ["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
        if result then
          table.insert(state.raw, result) -- not deepcopied: 0.7 cannot copy vim.NIL
        end
        return vim.lsp.handlers["textDocument/publishDiagnostics"](err, result, ctx, config)
      end,
    },
    on_attach = function(client, bufnr)
      state.attached = { client_id = client.id, bufnr = bufnr }
    end,
    on_exit = function(code, signal)
      state.exited = { code = code, signal = signal }
    end,
  })
  ok("require('pmlint').setup() ran (api: " .. tostring(pmlint.api) .. ")")

  vim.cmd("filetype on")
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  eq(vim.bo[bufnr].filetype, "markdown", "the fixture copy is detected as markdown")
  local uri = vim.uri_from_bufnr(bufnr)

  wait_for("the pmlint client to attach (did the server start?)", function()
    return state.attached ~= nil and state.attached.bufnr == bufnr
  end)
  ok("pmlint client attached to the buffer")
  local client = vim.lsp.get_client_by_id(state.attached.client_id)
  local enc = client.offset_encoding or "utf-16"
  check(enc == "utf-16" or enc == "utf-8" or enc == "utf-32", "negotiated position encoding: " .. enc)

  wait_for(RULE .. " diagnostics on lines 2 and 4", function()
    return #rule_diags(bufnr, 2) > 0 and #rule_diags(bufnr, 4) > 0
  end)
  ok("diagnostics arrived (vim.diagnostic.get)")

  -- Line 2: "Obviously" at the start of the line; ASCII, so bytes == UTF-16 units.
  local d2s, d4s = rule_diags(bufnr, 2), rule_diags(bufnr, 4)
  eq(#d2s, 1, "exactly one " .. RULE .. " diagnostic on line 2")
  eq(#d4s, 1, "exactly one " .. RULE .. " diagnostic on line 4")
  local d2, d4 = d2s[1], d4s[1]
  eq(d2.source, "pmlint", "source is pmlint")
  eq({ d2.lnum, d2.col, d2.end_lnum, d2.end_col }, { 2, 0, 2, 9 }, "line 2 diagnostic spans bytes 0-9 (\"Obviously\")")

  -- Line 4: Neovim stores byte columns; the server sent columns in `enc`.
  local line4 = buf_line(bufnr, 4)
  local found = line4:find("obviously", 1, true)
  eq(found - 1, LINE4_BYTE, "byte column of \"obviously\" on line 4 is the hand-computed 32")
  eq(utf16_index(line4, found - 1), LINE4_UTF16, "vim.str_utfindex gives UTF-16 column 29 (hand-computed)")
  eq({ d4.lnum, d4.col, d4.end_col }, { 4, LINE4_BYTE, LINE4_BYTE + OBVIOUSLY_LEN },
    "line 4 diagnostic spans bytes 32-41 in the buffer")
  eq(utf16_index(line4, d4.col), LINE4_UTF16, "line 4 diagnostic col converts to UTF-16 column 29")

  local raw4 = raw_diag(uri, 4)
  check(raw4 ~= nil, "the raw publishDiagnostics for line 4 was captured")
  local want = ({ ["utf-16"] = LINE4_UTF16, ["utf-8"] = LINE4_BYTE, ["utf-32"] = LINE4_UTF32 })[enc]
  eq({ raw4.range.start.line, raw4.range.start.character, raw4.range["end"].character },
    { 4, want, want + OBVIOUSLY_LEN }, ("raw LSP range of line 4 is in %s units (start %d)"):format(enc, want))
  if enc == "utf-16" then
    eq(raw4.range.start.character, LINE4_UTF16, "raw LSP start character is the UTF-16 column 29")
  end
  local lsp_data = d4.user_data and d4.user_data.lsp
  if lsp_data and lsp_data.range then -- Neovim 0.10+ keeps the whole LSP diagnostic here
    eq(lsp_data.range.start.character, want, "user_data.lsp.range has the raw " .. enc .. " column")
  else
    ok("user_data.lsp carries no range on this Neovim version (0.7-0.9); raw handler data checked instead")
  end

  -- Preferred quick fix for line 2.
  local raw2 = raw_diag(uri, 2)
  check(raw2 ~= nil, "the raw publishDiagnostics for line 2 was captured")
  local actions = code_actions(bufnr, uri, raw2, 2)
  local has_disable = false
  for _, a in ipairs(actions) do
    if type(a.title) == "string" and a.title:lower():find("disable", 1, true) and a.title:find(RULE, 1, true) then
      has_disable = true
    end
  end
  check(has_disable, "a \"Disable " .. RULE .. " for this line\" action is offered", vim.inspect(actions))
  local fix2 = pick_fix(bufnr, actions, 2, true)
  apply(fix2, client)
  eq(buf_line(bufnr, 2), LINE2_AFTER_FIX, "after the preferred fix line 2 reads \"" .. LINE2_AFTER_FIX .. "\"")
  eq(vim.api.nvim_buf_get_lines(bufnr, 0, -1, true), {
    "# Incident 42", "", LINE2_AFTER_FIX, "", "The café 🚀 team said it was obviously a mistake.",
  }, "the rest of the buffer is unchanged")

  -- Neovim sends didChange by itself; the line-2 finding must go away.
  wait_for("the line-2 diagnostic to disappear after the edit", function()
    return #rule_diags(bufnr, 2) == 0 and #rule_diags(bufnr, 4) > 0
  end)
  ok("line-2 diagnostic gone after the edit; line 4 still reported")

  -- Hover on the line-4 finding.
  local raw4b = raw_diag(uri, 4)
  local hover = request(bufnr, "textDocument/hover", {
    textDocument = { uri = uri },
    position = { line = 4, character = raw4b.range.start.character + 2 },
  }, "hover on line 4")
  check(type(hover) == "table" and hover.contents ~= nil, "hover returned contents", vim.inspect(hover))
  eq(hover.contents.kind, "markdown", "hover contents are Markdown")
  check(type(hover.contents.value) == "string" and hover.contents.value:find(RULE, 1, true) ~= nil,
    "hover mentions " .. RULE, vim.inspect(hover.contents))

  -- The line-4 fix.
  local actions4 = code_actions(bufnr, uri, raw4b, 4)
  local fix4 = pick_fix(bufnr, actions4, 4, false)
  apply(fix4, client)
  eq(buf_line(bufnr, 4), LINE4_AFTER_FIX, "after the fix line 4 reads \"" .. LINE4_AFTER_FIX .. "\"")
  wait_for("all " .. RULE .. " diagnostics to disappear", function()
    return #rule_diags(bufnr, nil) == 0
  end)
  ok("no " .. RULE .. " diagnostics remain after both fixes")
end

local ran, e = xpcall(main, function(x)
  if type(x) == "table" and x.pmlint_fail then
    return x
  end
  return debug.traceback(tostring(x), 2)
end)
local code = 0
if ran then
  out(("# nvim e2e: all %d checks passed"):format(checks))
else
  code = 1
end
local finished, ferr = pcall(finish, code, (not ran) and (type(e) == "table" and e.pmlint_fail or tostring(e)) or nil)
if not finished then
  errw("FAIL: error while shutting down: " .. tostring(ferr))
end
os.exit(finished and code or 1) -- only reached if :qall!/:cquit did not exit
