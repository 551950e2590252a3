"""The Lua scripts the Redis backend runs: each a step that must be atomic in Redis.

An entry of a job's stream has the fields ``k`` (``start``, ``part`` or ``end``; first,
so a script reads it as ``fields[2]``), ``r`` (the run's id, ``fields[4]``), ``i`` (the
part's index) and ``d`` (the part's JSON, or the end's). The lease's value is
``"<owner token> <run id>"``.
"""

from __future__ import annotations

ACQUIRE = """
-- KEYS: stream, lease. ARGV: lease value, lease ms, stream ms, run id, lost JSON
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #last > 0 and last[1][2][2] ~= 'end' then
  redis.call('XADD', KEYS[1], '*', 'k', 'end', 'r', last[1][2][4], 'i', '0', 'd', ARGV[5])
end
local id = redis.call('XADD', KEYS[1], '*', 'k', 'start', 'r', ARGV[4], 'i', '0', 'd', '')
redis.call('XTRIM', KEYS[1], 'MINID', id)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return id
"""
"""Take the key's lease for a new run (only if nobody holds it), close a run its dead
owner left open, write the new run's start and drop the older runs' entries."""

APPEND = """
-- KEYS: stream, lease. ARGV: lease value, kind, run id, index, data, stream ms (end)
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return false end
local id = redis.call('XADD', KEYS[1], '*', 'k', ARGV[2], 'r', ARGV[3], 'i', ARGV[4], 'd', ARGV[5])
if ARGV[2] == 'end' then
  redis.call('DEL', KEYS[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
end
return id
"""
"""Write a part (or the end, giving the lease up) only while the writer holds the
lease: an owner whose lease expired can never write after the sweep marked it lost."""

RENEW = """
-- KEYS: stream, lease. ARGV: lease value, lease ms, stream ms
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""
"""Extend the lease (and the stream's life) while its holder runs."""

SWEEP = """
-- KEYS: stream, lease. ARGV: lost JSON, stream ms
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #last == 0 or last[1][2][2] == 'end' then return 0 end
redis.call('XADD', KEYS[1], '*', 'k', 'end', 'r', last[1][2][4], 'i', '0', 'd', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""
"""Mark a run whose lease expired (its owner died) as lost, once: the lease is gone
and the stream's last entry is not an end."""
