package io.fttcp.apps.echo;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The clients of a chat server; a line from one goes to all. */
final class ChatRoom {

    private final Set<ChatMember> members = ConcurrentHashMap.newKeySet();

    void join(ChatMember member) {
        members.add(member);
    }

    void leave(ChatMember member) {
        members.remove(member);
    }

    void broadcast(byte[] line) {
        for (ChatMember member : members) {
            member.deliver(line);
        }
    }

    int size() {
        return members.size();
    }
}
