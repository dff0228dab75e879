package io.fttcp.apps.chat;

import io.fttcp.api.PollKey;
import io.fttcp.api.StreamSocket;

import java.io.ByteArrayOutputStream;

/** One client of the chat: what it has sent of a line not ended yet, and the room's lines not yet written to it. */
final class ChatMember {
    /** {@code AppRuntime#connectionName}: the member's name in checkpoints. */
    final String name;
    /** Bytes of the client's line not ended yet. */
    final ByteArrayOutputStream partialLine = new ByteArrayOutputStream();
    /** The room's lines not yet written to the client. */
    final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    /** The client ended its stream: it no longer receives new lines, only what is pending, then the close. */
    boolean clientEnded;
    StreamSocket socket;
    PollKey key;

    ChatMember(String name) {
        this.name = name;
    }
}
