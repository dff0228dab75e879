/**
 * The one configuration file that a primary and its backup share ({@code fttcp.conf}): the
 * protected service, the link, replication and the application. See {@link
 * io.fttcp.roles.config.ConfigFile} for the format.
 */
package io.fttcp.roles.config;
