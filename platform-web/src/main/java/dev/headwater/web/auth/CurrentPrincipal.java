package dev.headwater.web.auth;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * The authenticated caller of the current request. Controller methods declare an {@link
 * ApiPrincipal} parameter and get it; other code calls {@link #of(HttpServletRequest)}.
 */
public final class CurrentPrincipal implements HandlerMethodArgumentResolver {

    private static final String ATTRIBUTE = ApiPrincipal.class.getName();

    static void set(HttpServletRequest request, ApiPrincipal principal) {
        request.setAttribute(ATTRIBUTE, principal);
    }

    public static ApiPrincipal of(HttpServletRequest request) {
        Object principal = request.getAttribute(ATTRIBUTE);
        if (principal instanceof ApiPrincipal found) {
            return found;
        }
        throw new IllegalStateException("No authenticated caller: the path " + request.getRequestURI()
                + " is public, so it cannot ask who is calling");
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return ApiPrincipal.class.equals(parameter.getParameterType());
    }

    @Override
    public Object resolveArgument(
            MethodParameter parameter,
            ModelAndViewContainer mavContainer,
            NativeWebRequest webRequest,
            WebDataBinderFactory binderFactory) {
        return of(webRequest.getNativeRequest(HttpServletRequest.class));
    }
}
