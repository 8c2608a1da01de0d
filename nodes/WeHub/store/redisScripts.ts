/**
 * Lua scripts of the Redis task store. Each runs atomically inside Redis, so a hand-out, its cap
 * counter and the pacing stamp change together or not at all, whatever the number of processes.
 *
 * Keys (no KEYS[] are declared: every key lives under ARGV base = `<prefix><appid>:`):
 *   t:<id>          hash: one task (fields as in TaskRecord; task/meta as JSON; seq, task_type)
 *   q:<wxid>        zset seq -> id: queued tasks that may go now (FIFO by seq)
 *   d:<wxid>        zset not_before -> id: queued tasks held back until not_before
 *   bybot:<wxid>    zset seq -> id: every task of the bot, for `list`
 *   handed / expiring / finished   zsets time -> id, for the sweep
 *   bot:<wxid>      hash: presence, plus paced_at (last hand-out) and heard_at (last write other
 *                   than a poll, which stamps last_poll_at)
 *   bots            set of wxids;
 *                   cap:<wxid>:<day>:<task_type> counters of capped types (expire after 2 days)
 *   file:<index>, files; fr:<wxid>:<requester>, frs; settings
 * and `<prefix>appids` (appids for the sweep), `<prefix>media:<id>`, `<prefix>media` (expiry).
 */

/*
 * Shared Lua helpers. Each script includes only those it calls: defining a function is work
 * Redis repeats on every call (about 3 µs for all of them, a tenth of an enqueue).
 */
const DEPTH = `
local function depth(base, wxid)
  return redis.call('ZCARD', base..'q:'..wxid) + redis.call('ZCARD', base..'d:'..wxid)
end
`;

/** Needs nothing else. */
const FINISH = `
local function finish(base, id, state, now)
  local tk = base..'t:'..id
  local f = redis.call('HMGET', tk, 'state', 'bot_wxid')
  if f[1] == 'queued' then
    redis.call('ZREM', base..'q:'..f[2], id)
    redis.call('ZREM', base..'d:'..f[2], id)
    redis.call('ZREM', base..'expiring', id)
  elseif f[1] == 'handed_out' then
    redis.call('ZREM', base..'handed', id)
  end
  redis.call('HSET', tk, 'state', state, 'finished_at', now)
  redis.call('ZADD', base..'finished', now, id)
end
`;

/** Needs DEPTH. */
const BOT_REPLY = `
local function bot_reply(base, wxid)
  local botk = base..'bot:'..wxid
  if redis.call('EXISTS', botk) == 0 then return {} end
  return {redis.call('HGETALL', botk), depth(base, wxid)}
end
`;

/** Needs FINISH. */
const HAND_OUT_FN = `
-- The hot path: only what this hand-out needs. Cap counters exist for capped task types only,
-- the pacing stamp only when pacing is on, and a chunk of 10 ids covers the usual first pick.
local function hand_out(base, wxid, now, min_interval, scan_limit, caps_arg)
  local botk = base..'bot:'..wxid
  if min_interval > 0 then
    local last = tonumber(redis.call('HGET', botk, 'paced_at'))
    if last and now - last < min_interval then return {} end
  end
  local qk = base..'q:'..wxid
  local dk = base..'d:'..wxid
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', dk, '-inf', now, 'LIMIT', 0, 100)) do
    redis.call('ZREM', dk, id)
    redis.call('ZADD', qk, redis.call('HGET', base..'t:'..id, 'seq'), id)
  end
  local caps = nil
  local day = math.floor(now / 86400000)
  local start = 0
  local scanned = 0
  while scanned < scan_limit do
    local ids = redis.call('ZRANGE', qk, start, start + 9)
    if #ids == 0 then return {} end
    for _, id in ipairs(ids) do
      scanned = scanned + 1
      local tk = base..'t:'..id
      local f = redis.call('HMGET', tk, 'task_type', 'expires_at')
      local expires = tonumber(f[2])
      if expires and expires <= now then
        finish(base, id, 'expired', now)
      else
        if caps == nil then
          caps = {}
          for tt, cap in string.gmatch(caps_arg, '(%d+):(%d+)') do caps[tt] = tonumber(cap) end
        end
        local cap = caps[f[1]]
        local capk = base..'cap:'..wxid..':'..day..':'..f[1]
        if cap == nil or (tonumber(redis.call('GET', capk)) or 0) < cap then
          if cap ~= nil and redis.call('INCR', capk) == 1 then
            redis.call('PEXPIRE', capk, 172800000)
          end
          if min_interval > 0 then redis.call('HSET', botk, 'paced_at', now) end
          redis.call('ZREM', qk, id)
          if expires then redis.call('ZREM', base..'expiring', id) end
          redis.call('HSET', tk, 'state', 'handed_out', 'handed_out_at', now)
          redis.call('ZADD', base..'handed', now, id)
          return redis.call('HGETALL', tk)
        end
        start = start + 1
      end
    end
  end
  return {}
end
`;

/**
 * ARGV: prefix, base, appid, wxid, id, created_at, not_before, expires_at, task JSON, meta JSON,
 * task_type ('' = absent). Returns the bot's queue depth.
 */
export const ENQUEUE = `${DEPTH}
local prefix, base, appid, wxid, id = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local created, not_before, expires, task, meta, task_type = ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]
local idem = ARGV[12]
local tk = base..'t:'..id
-- An idempotency key queues once: the task it queued is answered while it is retained.
if idem ~= '' then
  local known = redis.call('GET', base..'idem:'..idem)
  if known and known ~= id and redis.call('EXISTS', base..'t:'..known) == 1 then
    return {'existing', known}
  end
end
-- A command resent after a dropped connection must not queue the task twice.
if redis.call('EXISTS', tk) == 0 then
  local seq = redis.call('INCR', base..'seq')
  local fields = {'task_id', id, 'appid', appid, 'bot_wxid', wxid, 'state', 'queued', 'created_at', created,
    'task', task, 'task_type', task_type, 'seq', seq}
  if meta ~= '' then table.insert(fields, 'meta'); table.insert(fields, meta) end
  if idem ~= '' then
    table.insert(fields, 'idempotency_key'); table.insert(fields, idem)
    redis.call('SET', base..'idem:'..idem, id)
  end
  if expires ~= '' then
    table.insert(fields, 'expires_at'); table.insert(fields, expires)
    redis.call('ZADD', base..'expiring', expires, id)
  end
  if not_before ~= '' then
    table.insert(fields, 'not_before'); table.insert(fields, not_before)
    redis.call('ZADD', base..'d:'..wxid, not_before, id)
  else
    redis.call('ZADD', base..'q:'..wxid, seq, id)
  end
  redis.call('HSET', tk, unpack(fields))
  redis.call('ZADD', base..'bybot:'..wxid, seq, id)
  -- seq counts the appid's tasks: the first one registers the appid for the sweep.
  if seq == 1 then redis.call('SADD', prefix..'appids', appid) end
  -- Wakes the listener that holds the bot's WebSocket, on whichever host (see watchQueued).
  redis.call('PUBLISH', prefix..'queued', appid..'\\n'..wxid)
end
return depth(base, wxid)
`;

/** ARGV: base, wxid, now, min_interval_ms, scan_limit, caps. Returns the task hash or {}. */
export const HAND_OUT = `${FINISH}${HAND_OUT_FN}
return hand_out(ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6])
`;

/** ARGV: prefix, base, appid, wxid, now, min_interval_ms, scan_limit, caps. Returns {task, bot}. */
export const POLL = `${DEPTH}${FINISH}${BOT_REPLY}${HAND_OUT_FN}
local prefix, base, appid, wxid, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
redis.call('HSET', base..'bot:'..wxid, 'appid', appid, 'wxid', wxid, 'online', '1', 'last_poll_at', ARGV[5])
redis.call('SADD', base..'bots', wxid)
redis.call('SADD', prefix..'appids', appid)
local task = hand_out(base, wxid, now, tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8])
return {task, bot_reply(base, wxid)}
`;

/** ARGV: base, id, success (1/0), error_reason, now, lost_after_ms. Returns the task hash or {}. */
export const COMPLETE = `${FINISH}
local base, id, now = ARGV[1], ARGV[2], tonumber(ARGV[5])
local tk = base..'t:'..id
local f = redis.call('HMGET', tk, 'state', 'handed_out_at')
if not f[1] then return {} end
if f[1] == 'handed_out' then
  if now - tonumber(f[2]) > tonumber(ARGV[6]) then
    finish(base, id, 'lost', now)
  else
    -- finish() inlined for the one state we know: one HSET instead of three.
    redis.call('ZREM', base..'handed', id)
    local state = ARGV[3] == '1' and 'done' or 'failed'
    if ARGV[4] ~= '' then
      redis.call('HSET', tk, 'state', state, 'finished_at', now, 'success', ARGV[3], 'error_reason', ARGV[4])
    else
      redis.call('HSET', tk, 'state', state, 'finished_at', now, 'success', ARGV[3])
    end
    redis.call('ZADD', base..'finished', now, id)
  end
end
return redis.call('HGETALL', tk)
`;

/** ARGV: base, id, now. Returns the task hash or {}. */
export const CANCEL = `${FINISH}
local base, id = ARGV[1], ARGV[2]
local tk = base..'t:'..id
local state = redis.call('HGET', tk, 'state')
if not state then return {} end
if state == 'queued' then finish(base, id, 'cancelled', tonumber(ARGV[3])) end
return redis.call('HGETALL', tk)
`;

/**
 * ARGV: prefix, base, appid, wxid, now ('' = read only), online of a bot never seen ('0'/'1'), then
 * field/value pairs to set. A write also stamps heard_at. Returns {presence hash, depth}, or {} for
 * a bot never seen.
 */
export const TOUCH_BOT = `${DEPTH}${BOT_REPLY}
local prefix, base, appid, wxid, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if now ~= '' then
  local botk = base..'bot:'..wxid
  redis.call('HSET', botk, 'appid', appid, 'wxid', wxid, 'heard_at', now)
  if redis.call('HEXISTS', botk, 'online') == 0 then redis.call('HSET', botk, 'online', ARGV[6]) end
  for i = 7, #ARGV, 2 do redis.call('HSET', botk, ARGV[i], ARGV[i + 1]) end
  redis.call('SADD', base..'bots', wxid)
  redis.call('SADD', prefix..'appids', appid)
end
return bot_reply(base, wxid)
`;

/**
 * ARGV: base, file_index, now. Returns {file hash, 1 when it already was uploaded else 0}, or {}
 * when unknown. An uploaded file is left as it was.
 */
export const MARK_FILE_UPLOADED = `
local base, index, now = ARGV[1], ARGV[2], ARGV[3]
local fk = base..'file:'..index
if redis.call('EXISTS', fk) == 0 then return {} end
if redis.call('HGET', fk, 'state') == 'uploaded' then return {redis.call('HGETALL', fk), 1} end
redis.call('HSET', fk, 'state', 'uploaded', 'uploaded_at', now)
redis.call('ZADD', base..'files', now, index)
return {redis.call('HGETALL', fk), 0}
`;

/**
 * ARGV: base, now, lost_after_ms, retain_ms, batch. One bounded batch of housekeeping for one
 * appid; returns {lost, expired, removed, more}.
 */
export const SWEEP = `${FINISH}
local base, now = ARGV[1], tonumber(ARGV[2])
local batch = tonumber(ARGV[5])
local lost, expired, removed, more = 0, 0, 0, 0
local function range(key, max)
  local found = redis.call('ZRANGEBYSCORE', key, '-inf', max, 'LIMIT', 0, batch)
  if #found >= batch then more = 1 end
  return found
end
for _, id in ipairs(range(base..'handed', '(' .. (now - tonumber(ARGV[3])))) do
  if redis.call('HGET', base..'t:'..id, 'state') == 'handed_out' then
    finish(base, id, 'lost', now)
    lost = lost + 1
  else
    redis.call('ZREM', base..'handed', id)
  end
end
for _, id in ipairs(range(base..'expiring', now)) do
  if redis.call('HGET', base..'t:'..id, 'state') == 'queued' then
    finish(base, id, 'expired', now)
    expired = expired + 1
  else
    redis.call('ZREM', base..'expiring', id)
  end
end
local until_ = now - tonumber(ARGV[4])
for _, id in ipairs(range(base..'finished', until_)) do
  local gone = redis.call('HMGET', base..'t:'..id, 'bot_wxid', 'idempotency_key')
  if gone[1] then redis.call('ZREM', base..'bybot:'..gone[1], id) end
  if gone[2] then redis.call('DEL', base..'idem:'..gone[2]) end
  redis.call('DEL', base..'t:'..id)
  redis.call('ZREM', base..'finished', id)
  removed = removed + 1
end
for _, index in ipairs(range(base..'files', until_)) do
  redis.call('DEL', base..'file:'..index)
  redis.call('ZREM', base..'files', index)
  removed = removed + 1
end
for _, key in ipairs(range(base..'frs', until_)) do
  redis.call('DEL', base..'fr:'..key)
  redis.call('ZREM', base..'frs', key)
  removed = removed + 1
end
return {lost, expired, removed, more}
`;

/** ARGV: prefix, now, batch. Removes expired media; returns how many. */
export const SWEEP_MEDIA = `
local prefix = ARGV[1]
local ids = redis.call('ZRANGEBYSCORE', prefix..'media', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  redis.call('DEL', prefix..'media:'..id)
  redis.call('ZREM', prefix..'media', id)
end
return #ids
`;

/**
 * ARGV: base, until, cursor, count. One SSCAN step over the appid's bots: removes those nobody has
 * heard from (no login, logout, poll or report) since `until`. A scan in the minutely sweep, not an
 * index kept up to date by every poll: pull_task stays as cheap as it was. Returns {cursor, removed}.
 */
export const SWEEP_BOTS = `
local base, until_ = ARGV[1], tonumber(ARGV[2])
local reply = redis.call('SSCAN', base..'bots', ARGV[3], 'COUNT', tonumber(ARGV[4]))
local removed = 0
for _, wxid in ipairs(reply[2]) do
  local botk = base..'bot:'..wxid
  local heard = 0
  for _, time in ipairs(redis.call('HMGET', botk, 'heard_at', 'last_poll_at', 'login_at', 'logout_at')) do
    heard = math.max(heard, tonumber(time) or 0)
  end
  -- A record without any time cannot be judged: it stays.
  if heard > 0 and heard < until_ then
    redis.call('DEL', botk)
    redis.call('SREM', base..'bots', wxid)
    removed = removed + 1
  end
end
return {reply[1], removed}
`;

/*
 * The inbox (events acknowledged whose execution has not ended):
 *   in:<id>          hash: owner, bot_wxid, received_at, holder, lease_until, attempts, items (JSON),
 *                    upload (JSON without the bytes), upload_data (the bytes)
 *   inbox:<owner>    zset received_at -> id, oldest first
 */

/** ARGV: base, id, owner, max_entries, then the hash's field/value pairs. 1 stored, 0 full. */
export const INBOX_PUT = `
local base, id, owner, max = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local order = base..'inbox:'..owner
if redis.call('ZCARD', order) >= max then return 0 end
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', base..'in:'..id, unpack(fields))
redis.call('ZADD', order, redis.call('HGET', base..'in:'..id, 'received_at'), id)
return 1
`;

/** ARGV: base, id. */
export const INBOX_DONE = `
local base, id = ARGV[1], ARGV[2]
local owner = redis.call('HGET', base..'in:'..id, 'owner')
if owner then redis.call('ZREM', base..'inbox:'..owner, id) end
redis.call('DEL', base..'in:'..id)
return 1
`;

/** ARGV: base, holder, lease_until, ids... Only the holder's own leases are extended. */
export const INBOX_RENEW = `
local base, holder, lease = ARGV[1], ARGV[2], ARGV[3]
for i = 4, #ARGV do
  local k = base..'in:'..ARGV[i]
  if redis.call('HGET', k, 'holder') == holder then redis.call('HSET', k, 'lease_until', lease) end
end
return 1
`;

/**
 * ARGV: base, owner, holder, lease_until, limit, now, drop_before. Takes over, oldest first, the
 * entries whose lease ran out; returns {dropped, hash, hash, ...} (each hash with its id).
 */
export const INBOX_CLAIM = `
local base, owner, holder, lease = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local limit, now, drop_before = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local order = base..'inbox:'..owner
local out = {0}
local taken = 0
for _, id in ipairs(redis.call('ZRANGE', order, 0, -1)) do
  if taken >= limit then break end
  local k = base..'in:'..id
  local f = redis.call('HMGET', k, 'received_at', 'lease_until')
  if not f[1] then
    redis.call('ZREM', order, id)
  elseif tonumber(f[1]) < drop_before then
    redis.call('ZREM', order, id)
    redis.call('DEL', k)
    out[1] = out[1] + 1
  elseif tonumber(f[2]) <= now then
    redis.call('HSET', k, 'holder', holder, 'lease_until', lease)
    redis.call('HINCRBY', k, 'attempts', 1)
    local hash = redis.call('HGETALL', k)
    hash[#hash + 1] = 'id'
    hash[#hash + 1] = id
    out[#out + 1] = hash
    taken = taken + 1
  end
end
return out
`;
