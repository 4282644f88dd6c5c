-- 51-foh.lua: WirePlumber 0.4 policy for foh's nodes (foh.chN.capture,
-- foh.chN.playback, foh.analyzer). Installed to
-- $datadir/wireplumber/main.lua.d/; a user can copy it to
-- ~/.config/wireplumber/main.lua.d/ instead, then restart wireplumber.
--
-- What WirePlumber 0.4 already does right with foh's nodes, from the
-- properties fohd sets on them:
--  * target.object (a channel's `input`/`output`, the analyzer's `source`)
--    is the stream's defined target; policy-node links it there and keeps it
--    there, and when the target goes away it waits and relinks on return.
--  * node.link-group foh.chN keeps a channel's playback from being linked
--    into its own capture (no feedback loop), and marks the pair as a filter,
--    so "follow the default sink" never replaces a configured output.
--  * fohd sets no node.dont-reconnect: with it, WirePlumber would destroy
--    the stream when its target disappears (an unplugged USB interface)
--    instead of waiting for it.
--
-- What this file changes: restore-stream, which otherwise remembers a
-- volume, mute and target per stream and puts them back the next time fohd
-- starts. It keys them by media.role, so every foh stream (role Production)
-- would share one remembered volume — an extra gain stage after foh's
-- limiter and meters — and a channel without a configured output would be
-- sent wherever one of them was last moved by hand. foh's config is the only
-- place a channel's gain and routing come from, so foh nodes opt out.

table.insert(stream_defaults.rules, {
  matches = {
    { { "node.name", "matches", "foh.ch*.capture" } },
    { { "node.name", "matches", "foh.ch*.playback" } },
    { { "node.name", "equals", "foh.analyzer" } },
  },
  apply_properties = {
    ["state.restore-props"] = false,
    ["state.restore-target"] = false,
  },
})
