"""Socket.IO handlers: parse, authorise, call one service, answer."""
