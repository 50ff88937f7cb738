package org.sessionkit.redis.internal;

/**
 * The Lua scripts of the Redis store. Each write is one script, so Redis applies it entirely or
 * not at all and no other command runs in between: the idempotency-key check, the revision
 * check, the session's keys, its write log and its index entries change together. Every key a
 * script touches belongs to one shard and so carries one hash tag (one cluster slot); the key
 * layout is described in {@link KeyLayout}.
 *
 * <p>The write scripts start with {@code #!lua} and declare no flags, so Redis 7 refuses to start
 * them when it is out of memory ({@code maxmemory} with {@code noeviction}) instead of stopping
 * half-way. Loading and listing declare {@code no-writes}: they run with {@code EVALSHA_RO} while
 * writes are paused or the server is out of memory. Pruning only deletes, so it declares {@code
 * allow-oom}.
 *
 * <p>Revisions are made by the client ({@code RevisionSource}: a sequence number and a random
 * nonce of the store instance), never by a counter on the server, so a promoted replica that
 * missed a write can't issue that write's revision again, and a deleted and re-created session
 * never repeats a revision that an old reader may still hold.
 *
 * <p>Retention: every write records its time {@code t} (milliseconds of the store's clock) in the
 * head. A script given {@code now} and a retention {@code ret > 0} treats a session with {@code t
 * + ret <= now} as absent, whether or not it was removed yet. Writes with retention also keep
 * the shard's write-time index and remove up to two expired sessions of their shard (checking
 * each one's time again, so a session written meanwhile stays).
 */
public final class Scripts {

  private Scripts() {}

  private static final String EXPIRED =
      """
      local function expired(t, now, ret)
        if ret <= 0 or not t then return false end
        local w = tonumber(t)
        return w ~= nil and w + ret <= now
      end
      """;

  // The write log: lines "key SPACE revision", oldest first, at most 16 (WriteLog.encode's form;
  // revisions made by this store never need percent-escapes).
  private static final String WRITE_LOG =
      """
      local function logfind(log, key)
        if key == '' or not log then return nil end
        local found = nil
        for line in string.gmatch(log, '[^\\n]+') do
          local sp = string.find(line, ' ', 1, true)
          if sp and string.sub(line, 1, sp - 1) == key then found = string.sub(line, sp + 1) end
        end
        return found
      end
      local function logrecord(log, key, rev)
        local lines = {}
        if log then
          for line in string.gmatch(log, '[^\\n]+') do lines[#lines + 1] = line end
        end
        lines[#lines + 1] = key .. ' ' .. rev
        return table.concat(lines, '\\n', math.max(1, #lines - 15), #lines)
      end
      """;

  // Removes up to `limit` sessions of this shard whose last write is older than the retention,
  // reading each one's write time again (the index score may be stale).
  private static final String SWEEP =
      """
      local function sweep(byTime, byId, byWrite, hstart, mstart, now, ret, limit)
        local due = redis.call('ZRANGEBYSCORE', byWrite, '-inf', string.format('%d', now - ret), 'LIMIT', 0, limit)
        for _, hex in ipairs(due) do
          local head = hstart .. hex
          local h = redis.pcall('HMGET', head, 't', 'k')
          if h.err then
            redis.call('ZREM', byWrite, hex) -- a damaged head: listings report it
          elseif h[1] and not expired(h[1], now, ret) then
            redis.call('ZADD', byWrite, h[1], hex)
          else
            redis.call('DEL', head, mstart .. hex)
            if h[2] then redis.call('ZREM', byTime, h[2]) end
            redis.call('ZREM', byId, hex)
            redis.call('ZREM', byWrite, hex)
          end
        end
      end
      """;

  private static final String PUSH =
      """
      local function push(key, from)
        -- unpack() of more than a few thousand values overflows Lua's C stack: push in chunks.
        for i = from, #ARGV, 1000 do
          redis.call('RPUSH', key, unpack(ARGV, i, math.min(i + 999, #ARGV)))
        end
      end
      """;

  /**
   * Save (replace) a session if a condition holds, as a keyed write when ARGV 11 is not empty.
   *
   * <p>KEYS: head, messages, idx u, idx i, idx x, staging list. ARGV: 1 condition ({@code a}
   * always, {@code n} only if absent, {@code r} only if the revision is ARGV 2), 2 expected
   * revision, 3 new revision, 4 index member, 5 hex id, 6 id, 7 created at, 8 updated at, 9 state
   * JSON, 10 size in bytes, 11 idempotency key (empty: none), 12 now (ms), 13 retention (ms, 0:
   * none), 14 time to live of the keys (ms, 0: none), 15 start of head keys, 16 start of message
   * keys, 17 {@code 1} to rewrite the revision when replaying a key (so that a {@code WAIT} after
   * the reply covers the write the key recorded), 18 number of messages, 19 staging token (empty:
   * the messages follow as ARGV 20…; else they are in the staging list behind this token, and
   * the list is renamed into place: large messages never pass through Lua).
   *
   * <p>The staging list is deleted whatever the outcome. Replies {@code {"ok", revision}} (the
   * revision recorded for the key when it was already applied: then nothing changed), {@code
   * {"conflict"}}, or {@code {"restage"}} when the staging list is not whole (it expired, or a
   * push failed): nothing changed, and the caller sends the messages as arguments instead.
   *
   * <p>The head records the SHA-1 of the state ({@code h}), so that an append can check that the
   * state it replaces is the one written here without parsing it.
   */
  public static final Script SAVE =
      new Script(
          "save",
          false,
          "#!lua\n"
              + EXPIRED
              + WRITE_LOG
              + SWEEP
              + PUSH
              + """
              local head, msgs, byTime, byId, byWrite, staged = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
              local cond, expected, newrev, member, hex = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
              local key, now, ret, ttl = ARGV[11], tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14])
              local count, token = tonumber(ARGV[18]), ARGV[19]
              local function leave(reply)
                if token ~= '' then redis.call('DEL', staged) end
                return reply
              end
              if token ~= '' then
                -- the token, then exactly the messages: else a push failed or the list expired
                local n = redis.pcall('LLEN', staged)
                if type(n) ~= 'number' or n ~= count + 1 or redis.call('LINDEX', staged, 0) ~= token then
                  return leave({'restage'})
                end
              end
              local rev, old, log, exists = false, false, false, true
              local h = redis.pcall('HMGET', head, 'r', 'k', 'w', 't')
              if not h.err then
                -- (a head that is not a hash is a damaged session: it exists, with no revision)
                rev, old, log = h[1], h[2], h[3]
                exists = rev ~= false or redis.call('EXISTS', head) == 1
                if rev and expired(h[4], now, ret) then rev, log, exists = false, false, false end
              end
              local done = logfind(log, key)
              if done then
                if ARGV[17] == '1' and rev then redis.call('HSET', head, 'r', rev) end
                return leave({'ok', done})
              end
              if cond == 'n' and exists then return leave({'conflict'}) end
              if cond == 'r' and rev ~= expected then return leave({'conflict'}) end
              redis.call('DEL', head, msgs)
              if old and old ~= member then redis.call('ZREM', byTime, old) end
              if token == '' then
                push(msgs, 20)
              else
                redis.call('LPOP', staged)
                if count > 0 then
                  -- (RENAME keeps the staging list's expiry: the keys' own is set below)
                  redis.call('RENAME', staged, msgs)
                  if ttl <= 0 then redis.call('PERSIST', msgs) end
                end
              end
              if key ~= '' then log = logrecord(log, key, newrev) end
              local sha = redis.sha1hex(ARGV[9])
              if log then
                redis.call('HSET', head, 'id', ARGV[6], 'r', newrev, 'c', ARGV[7], 'u', ARGV[8],
                  'n', string.format('%d', count), 's', ARGV[9], 'h', sha, 'k', member, 'b', ARGV[10], 't', ARGV[12],
                  'w', log)
              else
                redis.call('HSET', head, 'id', ARGV[6], 'r', newrev, 'c', ARGV[7], 'u', ARGV[8],
                  'n', string.format('%d', count), 's', ARGV[9], 'h', sha, 'k', member, 'b', ARGV[10], 't', ARGV[12])
              end
              redis.call('ZADD', byTime, 0, member)
              redis.call('ZADD', byId, 0, hex)
              if ret > 0 then
                redis.call('ZADD', byWrite, ARGV[12], hex)
                sweep(byTime, byId, byWrite, ARGV[15], ARGV[16], now, ret, 2)
              end
              if ttl > 0 then
                redis.call('PEXPIRE', head, ttl)
                if count > 0 then redis.call('PEXPIRE', msgs, ttl) end
              end
              return {'ok', newrev}
              """);

  /**
   * Append messages, replace the state and {@code updatedAt}, without touching earlier messages;
   * a keyed write when ARGV 9 is not empty.
   *
   * <p>KEYS: head, messages, idx u, idx i, idx x. ARGV: 1 expected revision (empty: any), 2 new
   * revision, 3 index member, 4 hex id, 5 updated at, 6 state JSON, 7 bytes added by the
   * messages, 8 largest size in bytes, 9 idempotency key (empty: none), 10 now (ms), 11 retention
   * (ms), 12 time to live of the keys (ms, 0: none), 13 start of head keys, 14 start of message
   * keys, 15 {@code 1} to rewrite the revision when replaying a key (see {@link #SAVE}), 16…
   * messages.
   *
   * <p>Replies {@code {"ok", revision}}, {@code {"notfound"}}, {@code {"conflict"}}, {@code
   * {"toolarge", size}} or {@code {"corrupt", reason}}.
   */
  public static final Script APPEND =
      new Script(
          "append",
          false,
          "#!lua\n"
              + EXPIRED
              + WRITE_LOG
              + SWEEP
              + PUSH
              + """
              local head, msgs, byTime, byId, byWrite = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
              local expected, newrev, member, hex = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
              local key, now, ret, ttl = ARGV[9], tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])
              local h = redis.pcall('HMGET', head, 'r', 'k', 'n', 'b', 'w', 't')
              if h.err then return {'corrupt', 'its head is not a hash'} end
              local rev, old, n, log = h[1], h[2], tonumber(h[3]), h[5]
              if not rev then
                if redis.call('EXISTS', head) == 0 then return {'notfound'} end
                return {'corrupt', 'its head has no revision'}
              end
              if expired(h[6], now, ret) then return {'notfound'} end
              local done = logfind(log, key)
              if done then
                if ARGV[15] == '1' then redis.call('HSET', head, 'r', rev) end
                return {'ok', done}
              end
              if expected ~= '' and rev ~= expected then return {'conflict'} end
              if not n then return {'corrupt', 'its head has no valid message count'} end
              -- Appending must not paper over a damaged session by replacing its state (messages are
              -- not read). The head records the SHA-1 of the state it was written with: comparing it
              -- catches any change made outside the store for a fraction of the cost of parsing the
              -- state; a head without it (written before it was recorded) must hold JSON at least.
              local st, sha = redis.call('HGET', head, 's'), redis.call('HGET', head, 'h')
              if not st then return {'corrupt', 'its head has no state'} end
              if sha then
                if redis.sha1hex(st) ~= sha then return {'corrupt', 'its state is not the one the store wrote'} end
              elseif not pcall(cjson.decode, st) then
                return {'corrupt', 'its state is not valid JSON'}
              end
              local size = (tonumber(h[4]) or 0) - #st + #ARGV[6] + tonumber(ARGV[7])
              if size > tonumber(ARGV[8]) then return {'toolarge', string.format('%d', size)} end
              local added = #ARGV - 15
              if added > 0 then
                local t = redis.pcall('TYPE', msgs)
                if t.ok ~= 'list' and t.ok ~= 'none' then return {'corrupt', 'its message list is not a list'} end
                push(msgs, 16)
              end
              local newsha = redis.sha1hex(ARGV[6])
              if key ~= '' then
                redis.call('HSET', head, 'r', newrev, 'u', ARGV[5], 's', ARGV[6], 'h', newsha,
                  'n', string.format('%d', n + added), 'k', member, 'b', string.format('%d', size), 't', ARGV[10],
                  'w', logrecord(log, key, newrev))
              else
                redis.call('HSET', head, 'r', newrev, 'u', ARGV[5], 's', ARGV[6], 'h', newsha,
                  'n', string.format('%d', n + added), 'k', member, 'b', string.format('%d', size), 't', ARGV[10])
              end
              if old ~= member then
                if old then redis.call('ZREM', byTime, old) end
                redis.call('ZADD', byTime, 0, member)
              end
              if ret > 0 then
                redis.call('ZADD', byWrite, ARGV[10], hex)
                sweep(byTime, byId, byWrite, ARGV[13], ARGV[14], now, ret, 2)
              end
              if ttl > 0 then
                redis.call('PEXPIRE', head, ttl)
                redis.call('PEXPIRE', msgs, ttl)
              end
              return {'ok', newrev}
              """);

  /**
   * Delete a session, if its revision is the expected one.
   *
   * <p>KEYS: head, messages, idx u, idx i, idx x. ARGV: 1 expected revision (empty: any), 2 hex
   * id, 3 now (ms), 4 retention (ms). Replies {@code {"ok"}}, {@code {"notfound"}} or {@code
   * {"conflict"}}.
   */
  public static final Script DELETE =
      new Script(
          "delete",
          false,
          "#!lua\n"
              + EXPIRED
              + """
              local head, msgs, byTime, byId, byWrite = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
              local expected, hex, now, ret = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
              local rev, old = false, false
              local h = redis.pcall('HMGET', head, 'r', 'k', 't')
              local gone = false
              if h.err then
                -- a damaged head has no revision: it can only be deleted unconditionally
                if expected ~= '' then return {'conflict'} end
              else
                rev, old = h[1], h[2]
                if not rev and redis.call('EXISTS', head) == 0 then return {'notfound'} end
                gone = rev and expired(h[3], now, ret)
                if not gone and expected ~= '' and rev ~= expected then return {'conflict'} end
              end
              redis.call('DEL', head, msgs)
              if old then redis.call('ZREM', byTime, old) end
              redis.call('ZREM', byId, hex)
              redis.call('ZREM', byWrite, hex)
              if gone then return {'notfound'} end
              return {'ok'}
              """);

  /**
   * Delete the listed sessions of one shard whose revision is still the listed one (and that
   * have not expired): one page of a bulk delete.
   *
   * <p>KEYS: idx u, idx i, idx x. ARGV: 1 start of head keys, 2 start of message keys, 3 now
   * (ms), 4 retention (ms), then pairs of hex id and revision. Replies the number deleted.
   */
  public static final Script DELETE_MANY =
      new Script(
          "delete-many",
          false,
          "#!lua\n"
              + EXPIRED
              + """
              local byTime, byId, byWrite = KEYS[1], KEYS[2], KEYS[3]
              local now, ret = tonumber(ARGV[3]), tonumber(ARGV[4])
              local deleted = 0
              for i = 5, #ARGV - 1, 2 do
                local hex, expected = ARGV[i], ARGV[i + 1]
                local head = ARGV[1] .. hex
                local h = redis.pcall('HMGET', head, 'r', 'k', 't')
                if not h.err and h[1] == expected then
                  redis.call('DEL', head, ARGV[2] .. hex)
                  if h[2] then redis.call('ZREM', byTime, h[2]) end
                  redis.call('ZREM', byId, hex)
                  redis.call('ZREM', byWrite, hex)
                  if not expired(h[3], now, ret) then deleted = deleted + 1 end
                end
              end
              return {deleted}
              """);

  /**
   * Load a session: its head and all its messages, read together.
   *
   * <p>KEYS: head, messages. ARGV: 1 now (ms), 2 retention (ms). Replies {@code {"ok", {id,
   * revision, created, updated, count, state, member, time}, {messages…}}}, {@code {"notfound"}}
   * or {@code {"corrupt", reason}}.
   */
  public static final Script LOAD =
      new Script(
          "load",
          true,
          "#!lua flags=no-writes\n"
              + EXPIRED
              + """
              local h = redis.pcall('HMGET', KEYS[1], 'id', 'r', 'c', 'u', 'n', 's', 'k', 't')
              if h.err then return {'corrupt', 'its head is not a hash'} end
              if not h[2] and redis.call('EXISTS', KEYS[1]) == 0 then return {'notfound'} end
              if h[2] and expired(h[8], tonumber(ARGV[1]), tonumber(ARGV[2])) then return {'notfound'} end
              local m = redis.pcall('LRANGE', KEYS[2], 0, -1)
              if m.err then return {'corrupt', 'its message list is not a list'} end
              return {'ok', h, m}
              """);

  /**
   * Load a run of a session's messages with its head, read together (one version).
   *
   * <p>KEYS: head, messages. ARGV: 1 now (ms), 2 retention (ms), 3 end (exclusive; empty: the
   * end of the session), 4 count. Replies {@code {"ok", head (as {@link #LOAD}), {messages…},
   * first index, length of the list}}, {@code {"notfound"}} or {@code {"corrupt", reason}}.
   */
  public static final Script SLICE =
      new Script(
          "slice",
          true,
          "#!lua flags=no-writes\n"
              + EXPIRED
              + """
              local h = redis.pcall('HMGET', KEYS[1], 'id', 'r', 'c', 'u', 'n', 's', 'k', 't')
              if h.err then return {'corrupt', 'its head is not a hash'} end
              if not h[2] and redis.call('EXISTS', KEYS[1]) == 0 then return {'notfound'} end
              if h[2] and expired(h[8], tonumber(ARGV[1]), tonumber(ARGV[2])) then return {'notfound'} end
              local total = redis.pcall('LLEN', KEYS[2])
              if type(total) == 'table' then return {'corrupt', 'its message list is not a list'} end
              local to = total
              if ARGV[3] ~= '' then to = math.min(total, tonumber(ARGV[3])) end
              local from = math.max(0, to - tonumber(ARGV[4]))
              local m = {}
              if to > from then m = redis.call('LRANGE', KEYS[2], from, to - 1) end
              return {'ok', h, m, from, total}
              """);

  /**
   * Read up to {@code want} listing entries of one shard in listing order. Declared {@code
   * no-writes}, so listing works while the server is out of memory or pauses writes.
   *
   * <p>KEYS: idx u, idx i. ARGV: 1 start and 2 stop (exclusive ZRANGEBYLEX bounds of idx u, or
   * {@code -} and {@code +}), 3 want, 4 start of head keys, 5 hex id prefix (empty: none), 6 how
   * many index entries to examine at most in this call, 7 up to how many ids a prefix may match
   * for idx i to be used, 8 now (ms), 9 retention (ms), 10 {@code 1} to return each state.
   *
   * <p>Without a prefix (or with one that matches many ids), it walks idx u from start. With a
   * prefix that matches few ids, it reads them from idx i and sorts their members in byte order
   * ({@code less}: Lua's own string comparison follows the server's locale, where e.g. Danish
   * sorts "aa" after "z").
   *
   * <p>Replies {@code {cursor, stale, entry…}}: cursor is where to continue ({@code (member}) or
   * empty when nothing more is in range; stale lists {@code member, hex} pairs of index entries
   * whose session is gone or expired or that an earlier version of a session left behind
   * ({@link #PRUNE} removes them; member is empty for an idx i entry); each entry is {@code
   * {member, hex, status, member-in-head, id, revision, created, updated, count[, state]}},
   * status {@code ok}, or {@code wrongtype}, {@code nokey}, {@code mismatch} for damaged heads
   * (member is empty for those found through idx i).
   */
  public static final Script LIST =
      new Script(
          "list",
          true,
          "#!lua flags=no-writes\n"
              + EXPIRED
              + """
              local byTime, byId = KEYS[1], KEYS[2]
              local start, stop, want, hstart, hp = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
              local budget, maxids = tonumber(ARGV[6]), tonumber(ARGV[7])
              local now, ret, withstate = tonumber(ARGV[8]), tonumber(ARGV[9]), ARGV[10] == '1'
              local stale = {}
              local out = {'', stale}

              -- nil: gone or expired; 'wrongtype': not a hash; else the fields
              local function readhead(hex)
                local key = hstart .. hex
                local h
                if withstate then
                  h = redis.pcall('HMGET', key, 'k', 'id', 'r', 'c', 'u', 'n', 't', 's')
                else
                  h = redis.pcall('HMGET', key, 'k', 'id', 'r', 'c', 'u', 'n', 't')
                end
                if h.err then return 'wrongtype' end
                if not h[1] and not h[3] and redis.call('EXISTS', key) == 0 then return nil end
                if h[3] and expired(h[7], now, ret) then return nil end
                return h
              end

              local function entry(m, hex, status, h)
                if h == nil then return {m, hex, status} end
                if withstate then return {m, hex, status, h[1], h[2], h[3], h[4], h[5], h[6], h[8]} end
                return {m, hex, status, h[1], h[2], h[3], h[4], h[5], h[6]}
              end

              local function addstale(m, hex)
                stale[#stale + 1] = m
                stale[#stale + 1] = hex
              end

              local function less(a, b)
                local n = math.min(#a, #b)
                for i = 1, n do
                  local x, y = string.byte(a, i), string.byte(b, i)
                  if x ~= y then return x < y end
                end
                return #a < #b
              end

              if hp ~= '' then
                local lo, hi = '[' .. hp, '(' .. hp .. 'g'
                if redis.call('ZLEXCOUNT', byId, lo, hi) <= maxids then
                  -- Order the members by reading only each head's member, then read the heads of
                  -- the page.
                  local found = {}
                  for _, hex in ipairs(redis.call('ZRANGEBYLEX', byId, lo, hi)) do
                    local key = hstart .. hex
                    local h = redis.pcall('HMGET', key, 'k', 'r', 't')
                    if h.err then
                      out[#out + 1] = entry('', hex, 'wrongtype', nil)
                    elseif not h[1] and not h[2] and redis.call('EXISTS', key) == 0 then
                      addstale('', hex)
                    elseif h[2] and expired(h[3], now, ret) then
                      addstale('', hex)
                    elseif not h[1] then
                      out[#out + 1] = entry('', hex, 'nokey', readhead(hex))
                    else
                      local k = h[1]
                      if (start == '-' or less(string.sub(start, 2), k))
                          and (stop == '+' or less(k, string.sub(stop, 2))) then
                        -- The two fixed-width hex numbers of the time part, compared as numbers
                        -- (exact in a double), make sorting fast; only ties compare the ids.
                        found[#found + 1] = {k, hex, tonumber(string.sub(k, 1, 10), 16) or -1,
                          tonumber(string.sub(k, 11, 18), 16) or -1, string.sub(k, 19)}
                      end
                    end
                  end
                  table.sort(found, function(a, b)
                    if a[3] ~= b[3] then return a[3] < b[3] end
                    if a[4] ~= b[4] then return a[4] < b[4] end
                    return less(a[5], b[5])
                  end)
                  for i = 1, math.min(want, #found) do
                    out[#out + 1] = entry(found[i][1], found[i][2], 'ok', readhead(found[i][2]))
                  end
                  if #found > want then out[1] = '(' .. found[want][1] end
                  return out
                end
              end

              local found, scanned, cursor = 0, 0, start
              local batch = math.min(math.max(want + 8, 32), 512)
              while true do
                local members = redis.call('ZRANGEBYLEX', byTime, cursor, stop, 'LIMIT', 0, batch)
                for _, m in ipairs(members) do
                  scanned = scanned + 1
                  cursor = '(' .. m
                  local hex = string.sub(m, 19)
                  if hp == '' or string.sub(hex, 1, #hp) == hp then
                    local h = readhead(hex)
                    if h == nil then
                      addstale(m, hex)
                    elseif h == 'wrongtype' then
                      out[#out + 1] = entry(m, hex, 'wrongtype', nil)
                    elseif h[1] == m then
                      out[#out + 1] = entry(m, hex, 'ok', h)
                      found = found + 1
                    elseif h[1] and redis.call('ZSCORE', byTime, h[1]) then
                      addstale(m, hex)
                    else
                      out[#out + 1] = entry(m, hex, 'mismatch', h)
                    end
                  end
                  if found >= want or scanned >= budget then
                    out[1] = cursor
                    return out
                  end
                end
                if #members < batch then return out end
              end
              """);

  /**
   * Remove stale index entries that {@link #LIST} reported and the sessions among them that
   * have expired, checking each again (the session may have been written since). It only
   * deletes, so it may run when the server is out of memory.
   *
   * <p>KEYS: idx u, idx i, idx x. ARGV: 1 start of head keys, 2 start of message keys, 3 now
   * (ms), 4 retention (ms), then pairs of index member (empty for an idx i entry) and hex id.
   * Replies the number of arguments.
   */
  public static final Script PRUNE =
      new Script(
          "prune",
          false,
          "#!lua flags=allow-oom\n"
              + EXPIRED
              + """
              local byTime, byId, byWrite = KEYS[1], KEYS[2], KEYS[3]
              local now, ret = tonumber(ARGV[3]), tonumber(ARGV[4])
              for i = 5, #ARGV - 1, 2 do
                local m, hex = ARGV[i], ARGV[i + 1]
                local key = ARGV[1] .. hex
                local h = redis.pcall('HMGET', key, 'k', 'r', 't')
                if h.err then
                  -- a damaged head: listings report it; leave its entries alone
                elseif not h[1] and not h[2] and redis.call('EXISTS', key) == 0 then
                  if m ~= '' then redis.call('ZREM', byTime, m) end
                  redis.call('ZREM', byId, hex)
                  redis.call('ZREM', byWrite, hex)
                elseif h[2] and expired(h[3], now, ret) then
                  redis.call('DEL', key, ARGV[2] .. hex)
                  if h[1] then redis.call('ZREM', byTime, h[1]) end
                  if m ~= '' then redis.call('ZREM', byTime, m) end
                  redis.call('ZREM', byId, hex)
                  redis.call('ZREM', byWrite, hex)
                elseif m ~= '' and h[1] and h[1] ~= m and redis.call('ZSCORE', byTime, h[1]) then
                  redis.call('ZREM', byTime, m)
                end
              end
              return #ARGV
              """);

  /**
   * Record the layout of a prefix the first time it is used, and read it.
   *
   * <p>KEYS: meta. ARGV: 1 layout version, 2 number of shards. Replies {@code {layout, shards}}
   * as stored.
   */
  public static final Script META =
      new Script(
          "meta",
          false,
          """
          #!lua
          if redis.call('EXISTS', KEYS[1]) == 0 then
            redis.call('HSET', KEYS[1], 'layout', ARGV[1], 'shards', ARGV[2])
          end
          return redis.call('HMGET', KEYS[1], 'layout', 'shards')
          """);
}
