# Reference values for issue 15 ("parity with R's survey package"), computed by R.
#
# Run from the repository root (needs r-base-core and r-cran-survey, not needed by the tests):
#
#     Rscript tests/analysis/data/r_parity_reference.R
#
# It reads the API samples kept beside it (apiclus1.csv, apiclus2.csv, apistrat.csv, copies
# of ../shared/data/api) and writes r_parity_reference.csv: one row per value with
#   id        the case (what the Python test looks up),
#   quantity  estimate, se, df, ci_low, ci_high, deff, weight, ...,
#   value     printed with 15 significant digits,
#   call      the R expression that produced the value.
# The tests in tests/analysis/test_analysis_parity_r.py compare to 1e-6 relative.
suppressMessages(library(survey))

here <- "tests/analysis/data"
apiclus1 <- read.csv(file.path(here, "apiclus1.csv"))
apiclus2 <- read.csv(file.path(here, "apiclus2.csv"))
apistrat <- read.csv(file.path(here, "apistrat.csv"))

rows <- list()
put <- function(id, quantity, value, call) {
  rows[[length(rows) + 1]] <<- data.frame(
    id = id, quantity = quantity, value = sprintf("%.15g", as.numeric(value)), call = call
  )
}
# estimate, SE, df and the t interval of a svystat (mean or total) with the design's df
put_stat <- function(id, stat, df, call) {
  ci <- confint(stat, df = df)
  put(id, "estimate", coef(stat)[1], call)
  put(id, "se", SE(stat)[1], call)
  put(id, "df", df, "degf(design)")
  put(id, "ci_low", ci[1, 1], paste0("confint(", call, ", df=degf(design))"))
  put(id, "ci_high", ci[1, 2], paste0("confint(", call, ", df=degf(design))"))
}
put_ciprop <- function(id, design, formula_text, method) {
  call <- sprintf("svyciprop(%s, design, method='%s')", formula_text, method)
  r <- svyciprop(as.formula(formula_text), design, method = method)
  ci <- confint(r)
  put(id, "estimate", coef(r), call)
  put(id, "se", SE(r), call)
  put(id, "df", degf(design), "degf(design)")
  put(id, "ci_low", ci[1], call)
  put(id, "ci_high", ci[2], call)
}

dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)

# ---- 1. two-stage design, fpc at both stages (no weights: R infers them from the fpc)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
put_stat("clus2_mean_api00", svymean(~api00, dclus2), degf(dclus2),
         "svymean(~api00, svydesign(id=~dnum+snum, fpc=~fpc1+fpc2))")
put_stat("clus2_total_enroll", svytotal(~enroll, dclus2, na.rm = TRUE), degf(dclus2),
         "svytotal(~enroll, dclus2, na.rm=TRUE)")
put_stat("clus2_mean_ell", svymean(~ell, dclus2), degf(dclus2), "svymean(~ell, dclus2)")
put_stat("clus2_ratio", svyratio(~api00, ~api99, dclus2), degf(dclus2),
         "svyratio(~api00, ~api99, dclus2)")
put_ciprop("clus2_share_schwide", dclus2, "~I(sch.wide=='Yes')", "logit")
for (i in c(1, 4, 126)) {
  put(sprintf("clus2_weight_row%d", i), "weight", weights(dclus2)[i], "weights(dclus2)[i]")
}
# calibration on a multistage design: post-stratified and raked
pop_types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
dclus2p <- postStratify(dclus2, ~stype, pop_types)
put_stat("clus2_poststrat_mean_api00", svymean(~api00, dclus2p), degf(dclus2p),
         "svymean(~api00, postStratify(dclus2, ~stype, pop.types))")
put_stat("clus2_poststrat_total_enroll", svytotal(~enroll, dclus2p, na.rm = TRUE), degf(dclus2p),
         "svytotal(~enroll, postStratify(dclus2, ~stype, pop.types), na.rm=TRUE)")
# raking through calibrate(): its variance uses the calibration (GREG) residuals, as ours;
# rake() approximates them by 10 rounds of alternating centring (svyrecvar)
dclus2r <- calibrate(dclus2, ~stype + sch.wide, c(6194, 755, 1018, 5122), calfun = "raking",
                     epsilon = 1e-12, maxit = 100)
put_stat("clus2_rake_mean_api00", svymean(~api00, dclus2r), degf(dclus2r),
         "svymean(~api00, calibrate(dclus2, ~stype+sch.wide, c(6194,755,1018,5122), calfun='raking'))")
# the same design given its weights explicitly
dclus2w <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, weights = ~pw, data = apiclus2)
put_stat("clus2w_mean_api00", svymean(~api00, dclus2w), degf(dclus2w),
         "svymean(~api00, svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, weights=~pw))")
# a stratified two-stage design: strata = stype at stage one, schools within districts; some
# PSUs then hold a single school of a larger district (lonely at stage two: "adjust")
options(survey.lonely.psu = "adjust")
dstrat2 <- svydesign(id = ~dnum + snum, strata = ~stype, fpc = ~fpc1 + fpc2, weights = ~pw,
                     data = transform(apiclus2, fpc1 = 300), nest = TRUE)
put_stat("strat2_total_enroll", svytotal(~enroll, dstrat2, na.rm = TRUE), degf(dstrat2),
         "svytotal(~enroll, svydesign(id=~dnum+snum, strata=~stype, fpc=~fpc1+fpc2 (fpc1=300), weights=~pw, nest=TRUE)), survey.lonely.psu='adjust'")
options(survey.lonely.psu = "fail")
# fpc without weights, one stage: weights N_h/n_h
dstrat_nw <- svydesign(id = ~1, strata = ~stype, fpc = ~fpc, data = apistrat)
put_stat("strat_noweights_total_enroll", svytotal(~enroll, dstrat_nw, na.rm = TRUE),
         degf(dstrat_nw), "svytotal(~enroll, svydesign(id=~1, strata=~stype, fpc=~fpc))")

# ---- 2. Korn-Graubard ("beta") without capping the effective n
put_ciprop("clus1_beta_schwide", dclus1, "~I(sch.wide=='Yes')", "beta")
put_ciprop("clus1_beta_awards", dclus1, "~I(awards=='Yes')", "beta")
put_ciprop("strat_beta_awards", dstrat, "~I(awards=='Yes')", "beta")
put_ciprop("clus1_logit_schwide", dclus1, "~I(sch.wide=='Yes')", "logit")

# ---- 3. domain intervals with each domain's own df (svyby + svyciprop)
for (s in c("E", "H", "M")) {
  sub <- subset(dclus1, stype == s)
  put_ciprop(paste0("clus1_awards_logit_", s), sub, "~I(awards=='Yes')", "logit")
  put_ciprop(paste0("clus1_awards_beta_", s), sub, "~I(awards=='Yes')", "beta")
  m <- svymean(~api00, sub)
  put_stat(paste0("clus1_api00_by_", s), m, degf(sub),
           "svymean(~api00, subset(dclus1, stype==s))")
  subs <- subset(dstrat, stype == s)
  put_ciprop(paste0("strat_awards_logit_", s), subs, "~I(awards=='Yes')", "logit")
}
b <- svyby(~I(awards == "Yes"), ~stype, dclus1, svyciprop, vartype = "ci", method = "logit")
put("clus1_awards_logit_svyby_H", "ci_low", b["H", "ci_l"],
    "svyby(~I(awards=='Yes'), ~stype, dclus1, svyciprop, vartype='ci', method='logit')")
put("clus1_awards_logit_svyby_H", "ci_high", b["H", "ci_u"],
    "svyby(~I(awards=='Yes'), ~stype, dclus1, svyciprop, vartype='ci', method='logit')")

# ---- 4. lonely PSU: apistrat keeping only the first high school (stratum H has one PSU)
lonely <- apistrat[apistrat$stype != "H" | seq_len(nrow(apistrat)) == which(apistrat$stype == "H")[1], ]
for (opt in c("adjust", "remove", "certainty", "average")) {
  options(survey.lonely.psu = opt)
  dl <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = lonely)
  put_stat(paste0("lonely_", opt, "_total_enroll"), svytotal(~enroll, dl, na.rm = TRUE), degf(dl),
           sprintf("options(survey.lonely.psu='%s'); svytotal(~enroll, dl, na.rm=TRUE)", opt))
  put_stat(paste0("lonely_", opt, "_mean_api00"), svymean(~api00, dl), degf(dl),
           sprintf("options(survey.lonely.psu='%s'); svymean(~api00, dl)", opt))
  dlf <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = lonely)
  put_stat(paste0("lonely_", opt, "_fpc_total_enroll"), svytotal(~enroll, dlf, na.rm = TRUE),
           degf(dlf), sprintf("options(survey.lonely.psu='%s'); svytotal(~enroll, dl+fpc)", opt))
}
options(survey.lonely.psu = "fail")

# ---- 5. difference of two domains' shares (svyby + svycontrast)
bb <- svyby(~as.numeric(awards == "Yes"), ~stype, dclus1, svymean, covmat = TRUE)
con <- svycontrast(bb, c(1, -1, 0))
put("clus1_awards_diff_E_H", "estimate", coef(con),
    "svycontrast(svyby(~as.numeric(awards=='Yes'), ~stype, dclus1, svymean, covmat=TRUE), c(1,-1,0))")
put("clus1_awards_diff_E_H", "se", SE(con),
    "svycontrast(svyby(~as.numeric(awards=='Yes'), ~stype, dclus1, svymean, covmat=TRUE), c(1,-1,0))")

# ---- 6. trimWeights
for (case in list(list("upper40", 40, -Inf, FALSE), list("upper40_lower18", 40, 18, FALSE),
                  list("upper32_strict", 32, -Inf, TRUE), list("upper32", 32, -Inf, FALSE))) {
  dt <- trimWeights(dstrat, upper = case[[2]], lower = case[[3]], strict = case[[4]])
  call <- sprintf("trimWeights(dstrat, upper=%g, lower=%g, strict=%s)", case[[2]], case[[3]], case[[4]])
  for (s in c("E", "H", "M")) {
    put(paste0("trim_", case[[1]], "_weight_", s), "weight",
        weights(dt)[which(apistrat$stype == s)[1]], call)
  }
  put_stat(paste0("trim_", case[[1]], "_mean_api00"), svymean(~api00, dt), degf(dt),
           paste0("svymean(~api00, ", call, ")"))
  put_stat(paste0("trim_", case[[1]], "_total_enroll"), svytotal(~enroll, dt, na.rm = TRUE),
           degf(dt), paste0("svytotal(~enroll, ", call, ")"))
}

# ---- 7. design effects, deff="replace" (variance over a with-replacement SRS of the same n)
put("clus1_deff_api00", "deff", deff(svymean(~api00, dclus1, deff = "replace")),
    "deff(svymean(~api00, dclus1, deff='replace'))")
put("strat_deff_api00", "deff", deff(svymean(~api00, dstrat, deff = "replace")),
    "deff(svymean(~api00, dstrat, deff='replace'))")
put("clus1_deff_total_enroll", "deff",
    deff(svytotal(~enroll, dclus1, na.rm = TRUE, deff = "replace")),
    "deff(svytotal(~enroll, dclus1, na.rm=TRUE, deff='replace'))")
sh <- svymean(~stype, dclus1, deff = "replace")
for (s in c("E", "H", "M")) {
  put(paste0("clus1_deff_stype_", s), "deff", deff(sh)[paste0("stype", s)],
      "deff(svymean(~stype, dclus1, deff='replace'))")
}
shs <- svymean(~awards, dstrat, deff = "replace")
put("strat_deff_awards_Yes", "deff", deff(shs)["awardsYes"],
    "deff(svymean(~awards, dstrat, deff='replace'))")
bd <- svyby(~api00, ~stype, dclus1, svymean, deff = "replace")
for (s in c("E", "H", "M")) {
  put(paste0("clus1_deff_api00_by_", s), "deff", bd[s, "DEff.api00"],
      "svyby(~api00, ~stype, dclus1, svymean, deff='replace')")
}
bs <- svyby(~awards, ~stype, dclus1, svymean, deff = "replace")
for (s in c("E", "H", "M")) {
  put(paste0("clus1_deff_awards_Yes_by_", s), "deff", bs[s, "DEff.awardsYes"],
      "svyby(~awards, ~stype, dclus1, svymean, deff='replace')")
}

out <- do.call(rbind, rows)
write.csv(out, file.path(here, "r_parity_reference.csv"), row.names = FALSE)
cat(sprintf("wrote %d values (survey %s, %s)\n", nrow(out), packageVersion("survey"), R.version.string))
