"""A minimal client of Streamlit's websocket protocol (`_stcore/stream`), speaking it as the page does or
as a tampering client would: run the script with a query string, click a button by its key, send any
other back message, and read the forward messages that come back."""

from __future__ import annotations

from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

TIMEOUT = 30.0


@dataclass
class Run:
    """The forward messages of one script run."""

    messages: list[ForwardMsg] = field(default_factory=list)

    def raw(self) -> bytes:
        """Every message serialised, to look for a string anywhere in what the server sent."""
        return b"".join(m.SerializeToString() for m in self.messages)

    def elements(self, kind: str) -> list:
        """The new elements of one kind (`button`, `download_button`, `heading`, ...)."""
        found = []
        for m in self.messages:
            if m.WhichOneof("type") == "delta" and m.delta.WhichOneof("type") == "new_element":
                element = m.delta.new_element
                if element.WhichOneof("type") == kind:
                    found.append(getattr(element, kind))
        return found

    def widget_id(self, key: str) -> str:
        """The id of the button whose user key is `key`."""
        ids = [b.id for b in self.elements("button") if b.id.endswith(f"-{key}")]
        assert ids, f"no button with key {key!r}"
        return ids[0]

    def query_strings(self) -> list[str]:
        """Every `page_info_changed` query string the server pushed."""
        return [m.page_info_changed.query_string for m in self.messages
                if m.WhichOneof("type") == "page_info_changed"]

    def headings(self) -> list[str]:
        return [h.body for h in self.elements("heading")]


class StreamSession:
    """One websocket connection; `resume` asks Streamlit to resume that earlier session id."""

    def __init__(self, ws_url: str, resume: str | None = None) -> None:
        protocols = ["streamlit", "xsrf-not-used"] + ([resume] if resume else [])
        self._connection = connect(ws_url, subprotocols=protocols, open_timeout=TIMEOUT, max_size=None)
        self.ws = self._connection.__enter__()
        self.session_id: str | None = None

    def send(self, msg: BackMsg) -> None:
        self.ws.send(msg.SerializeToString())

    def run(self, query_string: str, click: str | None = None) -> Run:
        """Rerun the script with `query_string` (and a click on widget id `click`); wait for it to finish."""
        msg = BackMsg()
        msg.rerun_script.query_string = query_string
        if click:
            widget = msg.rerun_script.widget_states.widgets.add()
            widget.id = click
            widget.trigger_value = True
        self.send(msg)
        return self.read_until_finished()

    def read_until_finished(self) -> Run:
        run = Run()
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(self.ws.recv(timeout=TIMEOUT))
            run.messages.append(fwd)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.session_id = fwd.new_session.initialize.session_id
            if kind == "script_finished":
                return run

    def heartbeat(self) -> bool:
        """Send a heartbeat; True when the server acknowledges it (the connection is alive and answering)."""
        msg = BackMsg()
        msg.app_heartbeat = True
        self.send(msg)
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(self.ws.recv(timeout=TIMEOUT))
            if fwd.WhichOneof("type") == "heartbeat_ack":
                return True

    def close(self) -> None:
        self._connection.__exit__(None, None, None)
