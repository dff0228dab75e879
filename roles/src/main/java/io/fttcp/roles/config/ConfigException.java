package io.fttcp.roles.config;

/** A configuration file that cannot be used: says which file, which line and what to write instead. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
