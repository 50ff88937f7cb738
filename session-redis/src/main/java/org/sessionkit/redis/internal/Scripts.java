package org.sessionkit.redis.internal;

/**
 * The Lua scripts of the Redis store. Each write is one script, so Redis applies it entirely or
 * not at all and no other command runs in between: the revision check, the new revision, the
 * session's keys and both index entries change together. The key layout is described in {@link
 * KeyLayout}.
 *
 * <p>The write scripts start with {@code #!lua} and declare no flags, so Redis 7 refuses to start
 * them when it is out of memory ({@code maxmemory} with {@code noeviction}) instead of stopping
 * half-way. Loading declares {@code no-writes}, so it still works then (and while writes are
 * paused); listing declares {@code allow-oom}, because the only things it writes are deletions of
 * index entries whose session has expired and a temporary key it deletes again.
 *
 * <p>Revisions come from one store-wide counter ({@code P rev}), never less than the session's
 * last revision plus one, so a deleted and re-created session never repeats a revision that an
 * old reader may still hold.
 *
 * <p>Scripts reach the head keys of sessions other than their own only to list and to prune the
 * index; like the index itself that needs every key on one server, which is why Redis Cluster is
 * not supported.
 */
public final class Scripts {

  private Scripts() {}

  private static final String NEXT_REVISION =
      """
      local function nextrev(counter, old)
        local n = redis.call('INCR', counter)
        local o = tonumber(old)
        if o and n <= o then
          n = o + 1
          redis.call('SET', counter, string.format('%d', n))
        end
        return string.format('%d', n)
      end
      """;

  // With retention, sessions vanish by expiry and leave their index entries behind; each write
  // looks at the two oldest entries and removes them if their session is gone, so the index does
  // not grow with expired sessions nobody lists.
  private static final String PRUNE_OLDEST =
      """
      local function pruneoldest(byTime, byId, keystart)
        local last = redis.call('ZRANGE', byTime, -2, -1)
        for _, m in ipairs(last) do
          local hex = string.sub(m, 19)
          if redis.call('EXISTS', keystart .. hex .. '}:h') == 0 then
            redis.call('ZREM', byTime, m)
            redis.call('ZREM', byId, hex)
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
   * Save (replace) a session if a condition holds.
   *
   * <p>KEYS: head, messages, idx:updated, idx:id, revision counter. ARGV: 1 condition ({@code a}
   * always, {@code n} only if absent, {@code r} only if the revision is ARGV 2), 2 expected
   * revision, 3 index member, 4 hex id, 5 id, 6 created at, 7 updated at, 8 state JSON, 9 time
   * to live in ms (0: none), 10 size in bytes, 11 start of session keys, 12… messages.
   *
   * <p>Replies {@code {"ok", revision}} or {@code {"conflict"}}.
   */
  public static final Script SAVE =
      new Script(
          "save",
          false,
          "#!lua\n"
              + NEXT_REVISION
              + PRUNE_OLDEST
              + PUSH
              + """
              local head, msgs, byTime, byId, counter = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
              local cond, expected, member, hex = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
              local rev, old, exists = false, false, true
              local h = redis.pcall('HMGET', head, 'r', 'k')
              if not h.err then
                -- (a head that is not a hash is a damaged session: it exists, with no revision)
                rev, old = h[1], h[2]
                exists = rev ~= false or redis.call('EXISTS', head) == 1
              end
              if cond == 'n' and exists then return {'conflict'} end
              if cond == 'r' and rev ~= expected then return {'conflict'} end
              local newrev = nextrev(counter, rev)
              redis.call('DEL', head, msgs)
              if old and old ~= member then redis.call('ZREM', byTime, old) end
              local count = #ARGV - 11
              push(msgs, 12)
              redis.call('HSET', head, 'id', ARGV[5], 'r', newrev, 'c', ARGV[6], 'u', ARGV[7],
                'n', string.format('%d', count), 's', ARGV[8], 'k', member, 'b', ARGV[10], 'f', '1')
              redis.call('ZADD', byTime, 0, member)
              redis.call('ZADD', byId, 0, hex)
              local ttl = tonumber(ARGV[9])
              if ttl > 0 then
                redis.call('PEXPIRE', head, ttl)
                if count > 0 then redis.call('PEXPIRE', msgs, ttl) end
                pruneoldest(byTime, byId, ARGV[11])
              end
              return {'ok', newrev}
              """);

  /**
   * Append messages, replace the state and {@code updatedAt}, without touching earlier messages.
   *
   * <p>KEYS: head, messages, idx:updated, idx:id, revision counter. ARGV: 1 expected revision
   * (empty: any), 2 index member, 3 hex id, 4 updated at, 5 state JSON, 6 time to live in ms (0:
   * none), 7 bytes added by the messages, 8 largest size in bytes, 9 start of session keys, 10…
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
              + NEXT_REVISION
              + PRUNE_OLDEST
              + PUSH
              + """
              local head, msgs, byTime, byId, counter = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
              local expected, member, hex = ARGV[1], ARGV[2], ARGV[3]
              local h = redis.pcall('HMGET', head, 'r', 'k', 'n', 'b')
              if h.err then return {'corrupt', 'its head is not a hash'} end
              local rev, old, n = h[1], h[2], tonumber(h[3])
              if not rev then
                if redis.call('EXISTS', head) == 0 then return {'notfound'} end
                return {'corrupt', 'its head has no revision'}
              end
              if expected ~= '' and rev ~= expected then return {'conflict'} end
              if not n then return {'corrupt', 'its head has no valid message count'} end
              -- Appending must not paper over a damaged session by replacing its state: check that
              -- the stored state is at least JSON (cjson checks syntax only; messages are not read).
              local st = redis.call('HGET', head, 's')
              if not st or not pcall(cjson.decode, st) then return {'corrupt', 'its state is not valid JSON'} end
              local size = (tonumber(h[4]) or 0) - redis.call('HSTRLEN', head, 's') + #ARGV[5] + tonumber(ARGV[7])
              if size > tonumber(ARGV[8]) then return {'toolarge', string.format('%d', size)} end
              local newrev = nextrev(counter, rev)
              local added = #ARGV - 9
              if added > 0 then
                local t = redis.pcall('TYPE', msgs)
                if t.ok ~= 'list' and t.ok ~= 'none' then return {'corrupt', 'its message list is not a list'} end
                push(msgs, 10)
              end
              redis.call('HSET', head, 'r', newrev, 'u', ARGV[4], 's', ARGV[5],
                'n', string.format('%d', n + added), 'k', member, 'b', string.format('%d', size))
              if old ~= member then
                if old then redis.call('ZREM', byTime, old) end
                redis.call('ZADD', byTime, 0, member)
              end
              redis.call('ZADD', byId, 0, hex)
              local ttl = tonumber(ARGV[6])
              if ttl > 0 then
                redis.call('PEXPIRE', head, ttl)
                redis.call('PEXPIRE', msgs, ttl)
                pruneoldest(byTime, byId, ARGV[9])
              end
              return {'ok', newrev}
              """);

  /**
   * Delete a session, if its revision is the expected one.
   *
   * <p>KEYS: head, messages, idx:updated, idx:id. ARGV: 1 expected revision (empty: any), 2 hex
   * id. Replies {@code {"ok"}}, {@code {"notfound"}} or {@code {"conflict"}}.
   */
  public static final Script DELETE =
      new Script(
          "delete",
          false,
          """
          #!lua
          local head, msgs, byTime, byId = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
          local expected = ARGV[1]
          local rev, old = false, false
          local h = redis.pcall('HMGET', head, 'r', 'k')
          if h.err then
            -- a damaged head has no revision: it can only be deleted unconditionally
            if expected ~= '' then return {'conflict'} end
          else
            rev, old = h[1], h[2]
            if not rev and redis.call('EXISTS', head) == 0 then return {'notfound'} end
            if expected ~= '' and rev ~= expected then return {'conflict'} end
          end
          redis.call('DEL', head, msgs)
          if old then redis.call('ZREM', byTime, old) end
          redis.call('ZREM', byId, ARGV[2])
          return {'ok'}
          """);

  /**
   * Load a session: its head and all its messages, read together.
   *
   * <p>KEYS: head, messages. Replies {@code {"ok", {id, revision, created, updated, count, state,
   * member}, {messages…}}}, {@code {"notfound"}} or {@code {"corrupt", reason}}.
   */
  public static final Script LOAD =
      new Script(
          "load",
          true,
          """
          #!lua flags=no-writes
          local h = redis.pcall('HMGET', KEYS[1], 'id', 'r', 'c', 'u', 'n', 's', 'k')
          if h.err then return {'corrupt', 'its head is not a hash'} end
          if not h[2] and redis.call('EXISTS', KEYS[1]) == 0 then return {'notfound'} end
          local m = redis.pcall('LRANGE', KEYS[2], 0, -1)
          if m.err then return {'corrupt', 'its message list is not a list'} end
          return {'ok', h, m}
          """);

  /**
   * Read up to {@code want} listing entries in listing order. Declared {@code no-writes}, so
   * listing works while the server is out of memory or pauses writes, and on replicas.
   *
   * <p>KEYS: idx:updated, idx:id. ARGV: 1 start and 2 stop (exclusive ZRANGEBYLEX bounds of
   * idx:updated, or {@code -} and {@code +}), 3 want, 4 start of session keys, 5 hex id prefix
   * (empty: none), 6 how many index entries to examine at most in this call, 7 up to how many
   * ids a prefix may match for idx:id to be used.
   *
   * <p>Without a prefix (or with one that matches many ids), it walks idx:updated from start.
   * With a prefix that matches few ids, it reads them from idx:id and sorts their members in
   * byte order ({@code less}: Lua's own string comparison follows the server's locale, where
   * e.g. Danish sorts "aa" after "z").
   *
   * <p>Replies {@code {cursor, stale, entry…}}: cursor is where to continue ({@code (member}) or
   * empty when nothing more is in range; stale lists {@code member, hex} pairs of index entries
   * whose session is gone (expired) or that an earlier version of a session left behind
   * ({@link #PRUNE} removes them; member is empty for an idx:id entry); each entry is {@code
   * {member, hex, status, member-in-head, id, revision, created, updated, count, state}},
   * status {@code ok}, or {@code wrongtype}, {@code nokey}, {@code mismatch} for damaged heads
   * (member is empty for those found through idx:id).
   */
  public static final Script LIST =
      new Script(
          "list",
          true,
          """
          #!lua flags=no-writes
          local byTime, byId = KEYS[1], KEYS[2]
          local start, stop, want, keystart, hp = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
          local budget, maxids = tonumber(ARGV[6]), tonumber(ARGV[7])
          local stale = {}
          local out = {'', stale}

          local function readhead(hex)
            local key = keystart .. hex .. '}:h'
            local h = redis.pcall('HMGET', key, 'k', 'id', 'r', 'c', 'u', 'n', 's')
            if h.err then return 'wrongtype' end
            if not h[1] and redis.call('EXISTS', key) == 0 then return nil end
            return h
          end

          local function entry(m, hex, status, h)
            if h == nil then return {m, hex, status} end
            return {m, hex, status, h[1], h[2], h[3], h[4], h[5], h[6], h[7]}
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
                local key = keystart .. hex .. '}:h'
                local k = redis.pcall('HGET', key, 'k')
                if type(k) == 'table' and k.err then
                  out[#out + 1] = entry('', hex, 'wrongtype', nil)
                elseif not k then
                  local h = readhead(hex)
                  if h == nil then
                    addstale('', hex)
                  elseif h == 'wrongtype' then
                    out[#out + 1] = entry('', hex, 'wrongtype', nil)
                  else
                    out[#out + 1] = entry('', hex, 'nokey', h)
                  end
                elseif (start == '-' or less(string.sub(start, 2), k))
                    and (stop == '+' or less(k, string.sub(stop, 2))) then
                  -- The two fixed-width hex numbers of the time part, compared as numbers (exact
                  -- in a double), make sorting fast; only ties compare the ids byte by byte.
                  found[#found + 1] = {k, hex, tonumber(string.sub(k, 1, 10), 16) or -1,
                    tonumber(string.sub(k, 11, 18), 16) or -1, string.sub(k, 19)}
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
   * Remove stale index entries that {@link #LIST} reported, checking again that they are stale
   * (the session may have been written since). It only deletes, so it may run when the server
   * is out of memory.
   *
   * <p>KEYS: idx:updated, idx:id. ARGV: 1 start of session keys, then pairs of index member
   * (empty for an idx:id entry) and hex id. Replies the number of arguments.
   */
  public static final Script PRUNE =
      new Script(
          "prune",
          false,
          """
          #!lua flags=allow-oom
          local byTime, byId = KEYS[1], KEYS[2]
          for i = 2, #ARGV - 1, 2 do
            local m, hex = ARGV[i], ARGV[i + 1]
            local key = ARGV[1] .. hex .. '}:h'
            local k = redis.pcall('HGET', key, 'k')
            if type(k) == 'table' and k.err then
              -- a damaged head: listings report it; leave its entries alone
            elseif redis.call('EXISTS', key) == 0 then
              if m ~= '' then redis.call('ZREM', byTime, m) end
              redis.call('ZREM', byId, hex)
            elseif m ~= '' and k and k ~= m and redis.call('ZSCORE', byTime, k) then
              redis.call('ZREM', byTime, m)
            end
          end
          return #ARGV
          """);
}
