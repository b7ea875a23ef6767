# Reference values for the estimators of analysis/_quantiles.py, _counts.py, _regression.py,
# _calibrate.py, _replicates.py and the likelihood/asin share intervals, computed with R's
# survey package on the API samples in this folder.
#
#   cd tests/analysis/data && Rscript r_reference_estimators.R
#
# writes r_reference_estimators.csv: one row per value, with the R call that produced it
# (`call`), the case id the tests look up (`id`), the quantity (`quantity`) and the value
# printed with 17 significant digits.  Produced with R 4.x and survey 4.1.1.
suppressMessages(library(survey))
apistrat <- read.csv("apistrat.csv")
apiclus1 <- read.csv("apiclus1.csv")
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
dclus1p <- postStratify(dclus1, ~stype, pop.types)

rows <- list()
emit <- function(id, call, quantity, value) {
  rows[[length(rows) + 1]] <<- data.frame(
    id = id, call = call, quantity = quantity, value = sprintf("%.17g", as.numeric(value))
  )
}

# ---- (15) quantiles: svyquantile, survey 4.x defaults qrule="math", interval.type="mean"
quant <- function(id, call) {
  r <- eval(parse(text = call))[[1]]
  for (i in seq_len(nrow(r))) {
    sub <- paste0(id, "_", rownames(r)[i])
    emit(sub, call, "quantile", r[i, 1])
    emit(sub, call, "ci_low", r[i, 2])
    emit(sub, call, "ci_high", r[i, 3])
    emit(sub, call, "se", r[i, 4])
  }
}
quant("q_strat_api00", "svyquantile(~api00, dstrat, c(0.1, 0.25, 0.5, 0.75, 0.9))")
quant("q_clus1_api00", "svyquantile(~api00, dclus1, c(0.25, 0.5, 0.9))")
quant("q_clus1_enroll", "svyquantile(~enroll, dclus1, c(0.5, 0.8))")
quant("q_clus1_acs46", "svyquantile(~acs.46, dclus1, c(0.5), na.rm = TRUE)")
quant("q_clus1p_api00", "svyquantile(~api00, dclus1p, c(0.5, 0.75))")
quant("q_clus1_xlogit", "svyquantile(~api00, dclus1, c(0.5, 0.9), interval.type = 'xlogit')")
quant("q_strat_asin", "svyquantile(~api00, dstrat, c(0.25, 0.5), interval.type = 'asin')")
call <- "svyby(~api00, ~stype, dclus1, svyquantile, quantiles = 0.5, ci = TRUE, vartype = c('se', 'ci'))"
b <- eval(parse(text = call))
for (i in seq_len(nrow(b))) {
  sub <- paste0("qby_clus1_api00_", b$stype[i])
  emit(sub, call, "quantile", b$api00[i])
  emit(sub, call, "se", b$se.api00[i])
  emit(sub, call, "ci_low", b$ci_l[i])
  emit(sub, call, "ci_high", b$ci_u[i])
  emit(sub, paste0("degf(subset(dclus1, stype == '", b$stype[i], "'))"), "df",
       degf(subset(dclus1, stype == b$stype[i])))
}

# ---- (15) estimated counts per category: svytotal of a factor
tot <- function(id, call) {
  r <- eval(parse(text = call))
  for (k in names(coef(r))) {
    emit(paste0(id, "_", k), call, "total", coef(r)[k])
    emit(paste0(id, "_", k), call, "se", SE(r)[k])
  }
}
tot("count_strat_stype", "svytotal(~stype, dstrat)")
tot("count_clus1_awards", "svytotal(~awards, dclus1)")
tot("count_clus1p_schwide", "svytotal(~sch.wide, dclus1p)")
call <- "svyby(~awards, ~stype, dclus1, svytotal)"
b <- eval(parse(text = call))
for (i in seq_len(nrow(b))) {
  for (k in c("awardsNo", "awardsYes")) {
    sub <- paste0("countby_clus1_awards_", b$stype[i], "_", k)
    emit(sub, call, "total", b[i, k])
    emit(sub, call, "se", b[i, paste0("se.", k)])
  }
}

# ---- (15) likelihood and arcsine intervals for shares: svyciprop
cip <- function(id, call) {
  r <- eval(parse(text = call))
  emit(id, call, "estimate", r[1])
  emit(id, call, "ci_low", attr(r, "ci")[1])
  emit(id, call, "ci_high", attr(r, "ci")[2])
}
for (m in c("asin", "likelihood")) {
  cip(paste0("ciprop_", m, "_clus1_schwide"),
      sprintf("svyciprop(~I(sch.wide == 'Yes'), dclus1, method = '%s')", m))
  cip(paste0("ciprop_", m, "_strat_awards"),
      sprintf("svyciprop(~I(awards == 'Yes'), dstrat, method = '%s')", m))
  cip(paste0("ciprop_", m, "_clus1p_awards"),
      sprintf("svyciprop(~I(awards == 'Yes'), dclus1p, method = '%s')", m))
  cip(paste0("ciprop_", m, "_strat_level90"),
      sprintf("svyciprop(~I(both == 'Yes'), dstrat, method = '%s', level = 0.9)", m))
}
# R's likelihood ends interpolate a spline through profile points; the exact roots of the
# same profile equation (deviance of the intercept-only quasibinomial svyglm, scaled by its
# dispersion, against qt^2 times the design effect of the log odds) come from uniroot.
exact_likelihood <- function(id, formula, design, level = 0.95) {
  fit <- svyglm(formula, design = design, family = quasibinomial)
  disp <- as.numeric(summary(fit)$dispersion)
  lambda <- diag(fit$cov.unscaled) / diag(fit$naive.cov)
  crit <- qt((1 - level) / 2, df = degf(design))^2 * lambda
  dev0 <- deviance(fit)
  y <- fit$y
  wt <- fit$prior.weights
  dev <- function(b) {
    mu <- plogis(b)
    -2 * sum(wt * (y * log(mu) + (1 - y) * log(1 - mu)))
  }
  f <- function(b) (dev(b) - dev0) / disp - crit
  b0 <- coef(fit)[1]
  lo <- uniroot(f, c(b0 - 20, b0), tol = 1e-13)$root
  hi <- uniroot(f, c(b0, b0 + 20), tol = 1e-13)$root
  call <- paste0("uniroot on the profile deviance of svyglm(", deparse(formula),
                 ", family = quasibinomial)")
  emit(id, call, "ci_low", plogis(lo))
  emit(id, call, "ci_high", plogis(hi))
}
exact_likelihood("ciprop_likelihood_exact_clus1_schwide", I(sch.wide == "Yes") ~ 1, dclus1)
exact_likelihood("ciprop_likelihood_exact_strat_awards", I(awards == "Yes") ~ 1, dstrat)
exact_likelihood("ciprop_likelihood_exact_clus1p_awards", I(awards == "Yes") ~ 1, dclus1p)
exact_likelihood("ciprop_likelihood_exact_strat_level90", I(both == "Yes") ~ 1, dstrat, 0.9)

# Domain intervals: svyby passes each domain's subset design, so df = degf(subset).
for (m in c("asin", "likelihood")) {
  call <- sprintf("svyby(~I(awards == 'Yes'), ~stype, dclus1, svyciprop, method = '%s', vartype = 'ci')", m)
  b <- eval(parse(text = call))
  for (i in seq_len(nrow(b))) {
    sub <- paste0("cipropby_", m, "_clus1_awards_", b$stype[i])
    emit(sub, call, "estimate", b[i, 2])
    emit(sub, call, "ci_low", b$ci_l[i])
    emit(sub, call, "ci_high", b$ci_u[i])
  }
}

for (st in c("E", "H", "M")) {
  exact_likelihood(paste0("cipropby_likelihood_exact_clus1_awards_", st), I(awards == "Yes") ~ 1,
                   subset(dclus1, stype == st))
}

# ---- (15) population variance: svyvar
vv <- function(id, call) {
  r <- eval(parse(text = call))
  emit(id, call, "variance", coef(r)[1])
  emit(id, call, "se", SE(r)[1])
}
vv("var_strat_api00", "svyvar(~api00, dstrat)")
vv("var_clus1_api00", "svyvar(~api00, dclus1)")
vv("var_clus1_enroll", "svyvar(~enroll, dclus1)")
vv("var_clus1p_api00", "svyvar(~api00, dclus1p)")
vv("var_clus1_acs46", "svyvar(~acs.46, dclus1, na.rm = TRUE)")
call <- "svyby(~api00, ~stype, dclus1, svyvar)"
b <- eval(parse(text = call))
for (i in seq_len(nrow(b))) {
  emit(paste0("varby_clus1_api00_", b$stype[i]), call, "variance", b[i, 2])
  emit(paste0("varby_clus1_api00_", b$stype[i]), call, "se", b[i, 3])
}

# ---- (13) regression: svyglm (gaussian and quasibinomial), Wald intervals of confint.svyglm
reg <- function(id, call, odds = FALSE) {
  fit <- eval(parse(text = call))
  tab <- summary(fit)$coefficients
  ci <- confint(fit)
  for (k in seq_len(nrow(tab))) {
    sub <- paste0(id, "_", k)
    emit(sub, call, "coef", tab[k, 1])
    emit(sub, call, "se", tab[k, 2])
    emit(sub, call, "t", tab[k, 3])
    emit(sub, call, "p_value", tab[k, 4])
    emit(sub, call, "ci_low", ci[k, 1])
    emit(sub, call, "ci_high", ci[k, 2])
    if (odds) {
      emit(sub, paste0("exp(coef(", call, "))"), "odds_ratio", exp(tab[k, 1]))
      emit(sub, paste0("exp(confint(", call, "))"), "or_low", exp(ci[k, 1]))
      emit(sub, paste0("exp(confint(", call, "))"), "or_high", exp(ci[k, 2]))
    }
  }
  emit(id, call, "df", fit$df.residual)
  emit(id, call, "n_terms", nrow(tab))
}
reg("glm_strat_api00", "svyglm(api00 ~ ell + meals + mobility, design = dstrat)")
reg("glm_clus1_stype", "svyglm(api00 ~ ell + meals + stype, design = dclus1)")
reg("glm_clus1_na", "svyglm(api00 ~ acs.46 + ell, design = dclus1)")
reg("glm_clus1p_api00", "svyglm(api00 ~ ell + meals, design = dclus1p)")
reg("glm_clus1_relevel",
    "svyglm(api00 ~ ell + relevel(factor(stype), ref = 'M'), design = dclus1)")
reg("logit_clus1_schwide",
    "svyglm(I(sch.wide == 'Yes') ~ ell + meals + stype, design = dclus1, family = quasibinomial)",
    odds = TRUE)
reg("logit_strat_awards",
    "svyglm(I(awards == 'Yes') ~ api99 + mobility + stype, design = dstrat, family = quasibinomial)",
    odds = TRUE)
reg("glm_clus1_subset_E", "svyglm(api00 ~ ell + meals, design = subset(dclus1, stype == 'E'))")
reg("logit_strat_subset_M",
    "svyglm(I(awards == 'Yes') ~ api99 + mobility, design = subset(dstrat, stype == 'M'), family = quasibinomial)",
    odds = TRUE)
reg("logit_clus1p_awards",
    "svyglm(I(awards == 'Yes') ~ meals + acs.46, design = dclus1p, family = quasibinomial)",
    odds = TRUE)

# ---- (12) calibration: calibrate() with linear, raking and logit distances
# Population totals from apipop (6194 schools): sum(apipop$api99) = 3914069,
# sum(apipop$meals) = 297533, table(apipop$stype), table(apipop$sch.wide).
pop.stype.api99 <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, api99 = 3914069)
pop.full <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, sch.wideYes = 5122,
              api99 = 3914069, meals = 297533)
cals <- list(
  cal_clus1_linear = "calibrate(dclus1, ~stype + api99, pop.stype.api99)",
  cal_clus1_raking = "calibrate(dclus1, ~stype + api99, pop.stype.api99, calfun = 'raking')",
  cal_clus1_logit = "calibrate(dclus1, ~stype + api99, pop.stype.api99, calfun = 'logit', bounds = c(0.5, 2.5))",
  cal_clus1_linbound = "calibrate(dclus1, ~stype + api99, pop.stype.api99, bounds = c(0.7, 1.7))",
  cal_strat_full = "calibrate(dstrat, ~stype + sch.wide + api99 + meals, pop.full, calfun = 'raking')",
  cal_strat_numeric = "calibrate(dstrat, ~api99 + meals - 1, c(api99 = 3914069, meals = 297533))"
)
for (id in names(cals)) {
  dcal <- eval(parse(text = cals[[id]]))
  w <- weights(dcal)
  emit(id, paste0("range(weights(", cals[[id]], "))"), "min_weight", min(w))
  emit(id, paste0("range(weights(", cals[[id]], "))"), "max_weight", max(w))
  for (est in c("svymean(~api00, dcal)", "svytotal(~enroll, dcal, na.rm = TRUE)",
                "svymean(~sch.wide, dcal)")) {
    r <- eval(parse(text = est))
    call <- paste0(sub("dcal", cals[[id]], est, fixed = TRUE))
    tag <- strsplit(est, "[(~,]")[[1]][c(1, 3)]
    for (k in seq_along(coef(r))) {
      sub <- paste0(id, "_", tag[1], "_", names(coef(r))[k])
      emit(sub, call, "estimate", coef(r)[k])
      emit(sub, call, "se", SE(r)[k])
    }
  }
  q <- svyquantile(~api00, dcal, 0.5)[[1]]
  call <- paste0("svyquantile(~api00, ", cals[[id]], ", 0.5)")
  emit(paste0(id, "_median"), call, "quantile", q[1, 1])
  emit(paste0(id, "_median"), call, "ci_low", q[1, 2])
  emit(paste0(id, "_median"), call, "ci_high", q[1, 3])
  fit <- svyglm(api00 ~ ell + meals, design = dcal)
  call <- paste0("svyglm(api00 ~ ell + meals, design = ", cals[[id]], ")")
  for (k in 1:3) {
    emit(paste0(id, "_glm_", k), call, "coef", coef(fit)[k])
    emit(paste0(id, "_glm_", k), call, "se", SE(fit)[k])
  }
}

# ---- (14) replicate weights: as.svrepdesign (JK1, JKn, bootstrap, BRR, Fay) and svrepdesign
# A 1-5 item cut from api00 stands in for a Likert item (score = mean of 100 (q - 1) / 4).
apiclus1$q <- as.numeric(cut(apiclus1$api00, c(0, 500, 600, 700, 800, 1000)))
apistrat$q <- as.numeric(cut(apistrat$api00, c(0, 500, 600, 700, 800, 1000)))
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
# BRR needs two PSUs per stratum: the first 14 clusters of apiclus1 in dnum order, paired.
ids <- sort(unique(apiclus1$dnum))[1:14]
apipairs <- subset(apiclus1, dnum %in% ids)
apipairs$pair <- (match(apipairs$dnum, ids) - 1) %/% 2
dpairs <- svydesign(id = ~dnum, strata = ~pair, weights = ~pw, data = apipairs)
set.seed(20261201)
reps <- list(
  rep_clus1_jk1 = "as.svrepdesign(dclus1, type = 'JK1')",
  rep_strat_jkn = "as.svrepdesign(dstrat, type = 'JKn')",
  rep_clus1_boot = "as.svrepdesign(dclus1, type = 'bootstrap', replicates = 40)",
  rep_pairs_brr = "as.svrepdesign(dpairs, type = 'BRR')",
  rep_pairs_fay = "as.svrepdesign(dpairs, type = 'Fay', fay.rho = 0.3)"
)
factors <- list()
for (id in names(reps)) {
  rdes <- eval(parse(text = reps[[id]]))
  rw <- rdes$repweights
  psu <- switch(id, rep_strat_jkn = apistrat$snum, rep_pairs_brr = apipairs$dnum,
                rep_pairs_fay = apipairs$dnum, apiclus1$dnum)
  first <- !duplicated(rw$index)
  f <- data.frame(design = id, psu = psu[first], rw$weights[rw$index[first], , drop = FALSE])
  names(f) <- c("design", "psu", paste0("r", seq_len(ncol(rw$weights))))
  if (!(id %in% c("rep_clus1_jk1", "rep_strat_jkn"))) factors[[id]] <- f  # JK are deterministic
  emit(id, paste0("degf(", reps[[id]], ")"), "df", degf(rdes))
  emit(id, paste0(reps[[id]], "$scale"), "scale", rdes$scale)
  stats <- c(mean_api00 = "svymean(~api00, rdes)", total_enroll = "svytotal(~enroll, rdes, na.rm = TRUE)",
             ratio = "svyratio(~api00, ~api99, rdes)", var_api00 = "svyvar(~api00, rdes)",
             score_q = "svymean(~I(100 * (q - 1) / 4), rdes)")
  for (k in names(stats)) {
    r <- eval(parse(text = stats[[k]]))
    call <- sub("rdes", reps[[id]], stats[[k]], fixed = TRUE)
    emit(paste0(id, "_", k), call, "estimate", coef(r)[1])
    emit(paste0(id, "_", k), call, "se", SE(r)[1])
  }
  for (k in c("svymean(~sch.wide, rdes)", "svytotal(~sch.wide, rdes)")) {
    r <- eval(parse(text = k))
    call <- sub("rdes", reps[[id]], k, fixed = TRUE)
    for (j in seq_along(coef(r))) {
      sub <- paste0(id, "_", substr(k, 4, 7), "_", names(coef(r))[j])
      emit(sub, call, "estimate", coef(r)[j])
      emit(sub, call, "se", SE(r)[j])
    }
  }
  q <- svyquantile(~api00, rdes, 0.5)[[1]]
  call <- paste0("svyquantile(~api00, ", reps[[id]], ", 0.5)")
  emit(paste0(id, "_median"), call, "quantile", q[1, 1])
  emit(paste0(id, "_median"), call, "ci_low", q[1, 2])
  emit(paste0(id, "_median"), call, "ci_high", q[1, 3])
  emit(paste0(id, "_median"), call, "se", q[1, 4])
  for (model in c("svyglm(api00 ~ ell + meals, design = rdes)",
                  "svyglm(I(sch.wide == 'Yes') ~ ell + meals, design = rdes, family = quasibinomial)")) {
    fit <- eval(parse(text = model))
    call <- sub("rdes", reps[[id]], model, fixed = TRUE)
    tag <- if (grepl("quasibinomial", model)) "logit" else "glm"
    for (k in 1:3) {
      emit(paste0(id, "_", tag, "_", k), call, "coef", coef(fit)[k])
      emit(paste0(id, "_", tag, "_", k), call, "se", SE(fit)[k])
    }
    emit(paste0(id, "_", tag), call, "df", fit$df.residual)
  }
}
# Calibration of a replicate design re-calibrates every replicate (calibrate.svyrep.design,
# postStratify.svyrep.design).
rclus1 <- as.svrepdesign(dclus1, type = "JK1")
recal <- list(
  repcal_clus1_linear = "calibrate(rclus1, ~stype + api99, pop.stype.api99)",
  repcal_clus1_raking = "calibrate(rclus1, ~stype + api99, pop.stype.api99, calfun = 'raking')",
  repcal_clus1_post = "postStratify(rclus1, ~stype, pop.types)"
)
for (id in names(recal)) {
  rdes <- eval(parse(text = recal[[id]]))
  emit(id, paste0("degf(", recal[[id]], ")"), "df", degf(rdes))
  for (k in c(mean_api00 = "svymean(~api00, rdes)", total_enroll = "svytotal(~enroll, rdes, na.rm = TRUE)")) {
    r <- eval(parse(text = k))
    call <- sub("rdes", recal[[id]], k, fixed = TRUE)
    key <- paste0(id, "_", if (grepl("svymean", k)) "mean_api00" else "total_enroll")
    emit(key, call, "estimate", coef(r)[1])
    emit(key, call, "se", SE(r)[1])
  }
}
# The replicate factors per PSU, so the tests can rebuild the same (random or Hadamard) weights
# through the supplied-weights route (svrepdesign(..., combined.weights = FALSE)).
fac <- do.call(rbind, lapply(factors, function(f) {
  long <- reshape(f, direction = "long", varying = names(f)[-(1:2)], v.names = "factor",
                  timevar = "replicate", idvar = c("design", "psu"))
  long <- long[order(long$replicate, long$psu), ]
  long$factor <- sprintf("%.17g", long$factor)
  long
}))
write.csv(fac, "r_replicate_factors.csv", row.names = FALSE)

out <- do.call(rbind, rows)
write.csv(out, "r_reference_estimators.csv", row.names = FALSE)
cat("wrote", nrow(out), "values\n")
