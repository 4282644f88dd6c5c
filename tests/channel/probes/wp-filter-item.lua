-- wp-filter-item.lua: a probe (issue 14), not installed, not run by any
-- test. A WirePlumber 0.4.13 script that gives a pw_filter node (here
-- node-cost's "node-cost.ch*", made with media.class Audio/Sink) the
-- si-audio-adapter session item create-item.lua cannot ("no usable
-- format"): item.features.no-format skips the EnumFormat check. Load it
-- with load_script("wp-filter-item.lua") from a main.lua.d file, the file
-- in $XDG_DATA_HOME/wireplumber/scripts/. Found with it:
--  * the item must be removed and registered again once active, as
--    create-item.lua does, or policy-node counts it pending forever and
--    links nothing at all;
--  * then policy-node does link `tone-play node-cost.ch1` to the filter
--    (createLink in its log), but si-standard-link's
--    configure_and_link_adapters waits for a PortConfig on the filter's
--    item to be answered by new ports, which a pw_filter never does: no
--    link is made (item.node.type device or stream alike). The filter
--    cannot even see the request to answer it: PipeWire 0.3.65 refuses
--    it in the client ("client_node_set_param: set_param PortConfig:
--    Operation not supported"), no param_changed reaches the app.
items = {}
om = ObjectManager { Interest { type = "node",
  Constraint { "node.name", "matches", "node-cost.ch*", type = "pw-global" } } }
om:connect("object-added", function(_, node)
  local np = node.properties
  local props = {
    ["item.node"] = node,
    ["item.plugged.usec"] = GLib.get_monotonic_time(),
    ["item.features.no-format"] = true,
    ["item.features.monitor"] = false,
    ["item.features.control-port"] = false,
    ["node.id"] = node["bound-id"],
    ["client.id"] = np["client.id"],
    ["object.path"] = np["object.path"],
    ["object.serial"] = np["object.serial"],
    ["media.type"] = "Audio",
    ["item.node.type"] = "stream",
    ["item.node.direction"] = "input",
  }
  for k, v in pairs(np) do
    if k:find("^node") or k:find("^media") then props[k] = v end
  end
  local item = SessionItem("si-audio-adapter")
  if not item:configure(props) then Log.warning("foh: configure failed") return end
  item:register()
  items[node["bound-id"]] = item
  item:activate(Features.ALL, function(i, e)
    if e then Log.warning("foh: " .. tostring(e)) else
      Log.warning("foh: item active for " .. np["node.name"])
      i:remove()
      if i["active-features"] ~= 0 then i:register() end
    end
  end)
end)
om:activate()
