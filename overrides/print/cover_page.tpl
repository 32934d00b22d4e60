{#- The PDF's first page. -#}
<div class="guide-cover">
  <h1>{{ config.site_name }}</h1>
  <p class="guide-cover__subtitle">{{ config.site_description }}</p>
  <p class="guide-cover__note">
    Every figure and number in this book was computed by the notebooks when it was built. Questions are linked to
    their answers; collapsed follow-up answers are printed open.
    The notebooks are not printed: each concept page shows its notebook's key figure and the results its asserts
    check, and the executed notebooks are on the site and in the offline edition.
  </p>
</div>
