/** A chat room on one poller loop, deterministic on replay, with checkpoints. */
package io.fttcp.apps.chat;
