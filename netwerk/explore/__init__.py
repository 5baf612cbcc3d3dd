"""Search, ego networks and map layouts for the broker's workspace and brokers' tools."""
