/**
 * What the platform's HTTP services share: bearer-token authentication with tenant access rules
 * ({@code auth}) and RFC 9457 problem responses ({@code problem}). Auto-configured by {@link
 * dev.headwater.web.WebPlatformAutoConfiguration}; a service supplies only its {@link
 * dev.headwater.web.auth.TokenDirectory}.
 */
@NullMarked
package dev.headwater.web;

import org.jspecify.annotations.NullMarked;
