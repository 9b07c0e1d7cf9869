-- Shared by every valkeyrie namespace script. A namespace lives in:
--   <prefix>{<ns>}:d:<key>  string "<lastIndex>:<value>", with an expiry (PXAT) for TTL keys
--   <prefix>{<ns>}:i        sorted set of every key (score 0, ordered by ZRANGEBYLEX)
--   <prefix>{<ns>}:x        sorted set of TTL keys scored by their expiry (server ms)
--   <prefix>{<ns>}:n        the counter every write takes its lastIndex from
--   <prefix>{<ns>}:h        a capped stream of the latest changes (entry id <index>-0) for resuming watches
--   <prefix>{<ns>}:w        present (with a TTL) while some store of the namespace has watches:
--                           the history is only written meanwhile, unless it is always on
-- and every change is published on <prefix>{<ns>}:c as "<op><index> <key bytes> <key>[value]", with
-- PUBLISH, or SPUBLISH on a Redis Cluster that has it (the channel carries the namespace's hash
-- tag, so it lives on the slot's master and is not broadcast to every node).
-- A write does only what it needs: no clock unless a TTL is involved, the index and the
-- expiry set only touched when the key is new or had a TTL, the history only while it can be used.
--
-- RedisScript loads this text once as the top of the function library, so the helpers below
-- are created once, and every function starts with begin(KEYS, ARGV). Where the server has no
-- functions the same text starts every script run with EVALSHA, and the helpers are only
-- created when a script first needs them (lib()): a plain put runs straight through without them.

-- Every namespace script gets the same keys and first arguments: KEYS[1] index, KEYS[2]
-- expiry, KEYS[3] counter, KEYS[4] history, KEYS[5] watcher registration; ARGV[1] data key
-- prefix, ARGV[2] channel, ARGV[3] inline value limit, ARGV[4] history size (0: none),
-- ARGV[5] '1' to write the history always, '0' only while the registration exists, ARGV[6] the
-- publish command ('PUBLISH' or 'SPUBLISH'). Its own arguments start at ARGV[7]. Redis runs one
-- script at a time, so the namespace of the running one can live in upvalues the helpers share.
local ns, channel, publish, recording

local function begin(KEYS, ARGV)
	ns = { index = KEYS[1], expiry = KEYS[2], counter = KEYS[3], history = KEYS[4], watchers = KEYS[5],
		data = ARGV[1], inline_limit = tonumber(ARGV[3]), history_size = tonumber(ARGV[4]),
		history_always = ARGV[5] == '1' }
	channel = ARGV[2]
	publish = ARGV[6]
	recording = nil
end

local function message(op, index, key)
	return op .. index .. ' ' .. #key .. ' ' .. key
end

-- Whether this script writes history entries; decided once per run, so a script never
-- writes part of its changes only. A resume checks that the entries it reads are contiguous,
-- so a change written while nobody was registered makes a resume over it a resync, never a gap.
local function recording_history()
	if recording == nil then
		recording = ns.history_size > 0 and (ns.history_always or redis.call('EXISTS', ns.watchers) == 1)
	end
	return recording
end

local helpers
local function lib()
	if helpers then
		return helpers
	end
	helpers = {}

	-- The members of a sorted set between two lex bounds, and the first members scored up to a
	-- maximum. ZRANGE's BYLEX and BYSCORE options need Redis 6.2: a server without
	-- REDIS_VERSION_NUM (it came with 7.0) is asked for ZRANGEBYLEX and ZRANGEBYSCORE instead, and
	-- only such a server, so on 7.0+ a least-privilege ACL with +zrange stays enough.
	function helpers.by_lex(set, min, max)
		if redis.REDIS_VERSION_NUM then
			return redis.call('ZRANGE', set, min, max, 'BYLEX')
		end
		return redis.call('ZRANGEBYLEX', set, min, max)
	end

	function helpers.by_score(set, max, count)
		if redis.REDIS_VERSION_NUM then
			return redis.call('ZRANGE', set, '-inf', max, 'BYSCORE', 'LIMIT', 0, count)
		end
		return redis.call('ZRANGEBYSCORE', set, '-inf', max, 'LIMIT', 0, count)
	end

	function helpers.now_ms()
		local t = redis.call('TIME')
		return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
	end

	-- The lastIndex of a data key, or nil if it does not exist, reading no more than its digits.
	function helpers.index_of(data)
		return string.match(redis.call('GETRANGE', data, 0, 20), '^(%d+):')
	end

	-- {value, lastIndex} of a data entry, or {} for none.
	function helpers.split(entry)
		if not entry then
			return {}
		end
		local sep = string.find(entry, ':', 1, true)
		return { string.sub(entry, sep + 1), string.sub(entry, 1, sep - 1) }
	end

	-- Append a change to the history stream: op, key, the value when small enough, and the
	-- pair the key had before (p = its lastIndex or 0, q = its value), so a resumed watch can
	-- rebuild the state at its index.
	function helpers.record(op, index, key, value, before)
		local fields = { 'o', op, 'k', key, 'p', before[2] or '0' }
		if value and #value <= ns.inline_limit then
			table.insert(fields, 'v')
			table.insert(fields, value)
		end
		if before[1] and #before[1] <= ns.inline_limit then
			table.insert(fields, 'q')
			table.insert(fields, before[1])
		end
		redis.call('XADD', ns.history, 'MAXLEN', '~', ns.history_size, index .. '-0', unpack(fields))
	end

	-- Remove a key (data, index and expiry entries) and publish its deletion with a new index.
	function helpers.remove(key)
		local data = ns.data .. key
		local history = recording_history()
		local before
		if history then
			before = helpers.split(redis.call('GET', data))
		end
		local existed = redis.call('DEL', data)
		redis.call('ZREM', ns.index, key)
		redis.call('ZREM', ns.expiry, key)
		local index = redis.call('INCR', ns.counter)
		redis.call(publish, channel, message('D', index, key))
		if history then
			helpers.record('D', index, key, nil, before)
		end
		return existed
	end

	-- Whether the key has a TTL (is in the expiry set), and the server time when it had to be
	-- read. A TTL key that is due but not swept yet is removed now, so that its expiry is
	-- published before the write that follows it (a watcher sees the delete, then the new value).
	function helpers.expire_if_due(key, due)
		local now = helpers.now_ms()
		if tonumber(due) <= now then
			helpers.remove(key)
			return false, now
		end
		return true, now
	end

	-- The entries of a key (tree false) or of every key strictly below it (tree true) as a flat
	-- list key, entry ("<lastIndex>:<value>"), ...; and whether the key itself exists. Filled by
	-- position rather than table.insert: a listing adds two elements per key.
	function helpers.read_state(key, tree)
		local call = redis.call
		local data = ns.data
		local out = {}
		local n = 0
		local exists = 0
		if key ~= '' then
			local entry = call('GET', data .. key)
			if entry then
				exists = 1
				if not tree then
					out[1], out[2] = key, entry
				end
			end
		end
		if tree then
			local members
			if key == '' then
				members = helpers.by_lex(ns.index, '-', '+')
			else
				members = helpers.by_lex(ns.index, '[' .. key .. '/', '(' .. key .. '0')
			end
			for i = 1, #members do
				local member = members[i]
				local entry = call('GET', data .. member)
				-- Absent: expired in Redis, not swept yet.
				if entry then
					out[n + 1], out[n + 2] = member, entry
					n = n + 2
				end
			end
		end
		return out, exists
	end

	return helpers
end
