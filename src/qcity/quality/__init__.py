"""Quality tools for enterprises: SPC commands and API over ``qcity.spc``, and HACCP records."""
