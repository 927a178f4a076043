// Single sign-on: the identity is verified; send the form that finishes the sign-in (its button if scripts are off).
document.getElementById("sso-finish").submit();
